package clock

import (
	"testing"
	"time"
)

var epoch = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func ticked(tk Ticker) (time.Time, bool) {
	select {
	case at := <-tk.C():
		return at, true
	default:
		return time.Time{}, false
	}
}

func TestManualTickerTicksWhenMovedPast(t *testing.T) {
	m := NewManual(epoch)
	tk := m.NewTicker(10 * time.Second)
	defer tk.Stop()
	m.Advance(9 * time.Second)
	if _, ok := ticked(tk); ok {
		t.Fatal("ticked before its interval passed")
	}
	m.Advance(time.Second)
	if at, ok := ticked(tk); !ok || !at.Equal(epoch.Add(10*time.Second)) {
		t.Fatalf("tick at 10s = %v, %v", at, ok)
	}
	// A jump over several intervals gives one tick (the others are
	// dropped, as time.Ticker drops them), and the next is a period later.
	m.Advance(35 * time.Second)
	if _, ok := ticked(tk); !ok {
		t.Fatal("no tick after a 35s jump")
	}
	if _, ok := ticked(tk); ok {
		t.Fatal("a jump delivered more than one tick")
	}
	m.Advance(4 * time.Second) // 49s: next tick is at 50s
	if _, ok := ticked(tk); ok {
		t.Fatal("ticked at 49s")
	}
	m.Set(epoch.Add(50 * time.Second))
	if _, ok := ticked(tk); !ok {
		t.Fatal("no tick at 50s")
	}
}

func TestManualTickerStopAndWait(t *testing.T) {
	m := NewManual(epoch)
	done := make(chan struct{})
	started := make(chan Ticker)
	go func() { started <- m.NewTicker(time.Second) }()
	if !m.WaitForTickers(1, done) {
		t.Fatal("WaitForTickers gave up")
	}
	tk := <-started
	if m.Tickers() != 1 {
		t.Fatalf("Tickers = %d", m.Tickers())
	}
	tk.Stop()
	tk.Stop() // harmless
	m.Advance(time.Minute)
	if _, ok := ticked(tk); ok {
		t.Fatal("a stopped ticker ticked")
	}
	if m.Tickers() != 0 {
		t.Fatalf("Tickers after Stop = %d", m.Tickers())
	}
	close(done)
	if m.WaitForTickers(1, done) {
		t.Fatal("WaitForTickers reported a ticker that is not there")
	}
}

func TestRealTicker(t *testing.T) {
	tk := Real{}.NewTicker(time.Millisecond)
	defer tk.Stop()
	select {
	case <-tk.C():
	case <-time.After(5 * time.Second):
		t.Fatal("a 1ms real ticker did not tick in 5s")
	}
}
