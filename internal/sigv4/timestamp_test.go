package sigv4

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

func TestParseTimestampAgrees(t *testing.T) {
	inputs := []string{"20261103T123000Z", "00000101T000000Z", "99991231T235959Z", "20240229T000000Z", "20230229T000000Z",
		"20261303T123000Z", "20261100T123000Z", "20261103T243000Z", "20261103T126000Z", "20261103T123060Z",
		"20261103T123000.5Z", "20261103T123000", "20261103 123000Z", "2026-11-03T12:30:00Z", "", "2026110T1230000Z",
		"+0261103T123000Z", "20261103T1230 0Z", "20261103t123000z"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		tm := time.Unix(r.Int64N(253402300799), 0).UTC() // years 1970..9999
		inputs = append(inputs, tm.Format(timeFormat))
	}
	for _, s := range inputs {
		got, gotErr := parseTimestamp(s)
		want, wantErr := time.Parse(timeFormat, s)
		if got != want || !reflect.DeepEqual(gotErr, wantErr) {
			t.Errorf("parseTimestamp(%q) = %v, %v; time.Parse: %v, %v", s, got, gotErr, want, wantErr)
		}
	}
}

func FuzzParseTimestamp(f *testing.F) {
	f.Add("20261103T123000Z")
	f.Add("20240229T235959Z")
	f.Fuzz(func(t *testing.T, s string) {
		got, gotErr := parseTimestamp(s)
		want, wantErr := time.Parse(timeFormat, s)
		if got != want || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("parseTimestamp(%q) = %v, %v; time.Parse: %v, %v", s, got, gotErr, want, wantErr)
		}
	})
}

func TestAppendTimestampAgrees(t *testing.T) {
	times := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 3, 12, 30, 0, 0, time.FixedZone("x", 3600)), {},
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2000; i++ {
		times = append(times, time.Unix(r.Int64N(253402300799), r.Int64N(1e9)).UTC())
	}
	for _, tm := range times {
		if got, want := string(appendTimestamp([]byte("x"), tm)), "x"+tm.Format(timeFormat); got != want {
			t.Errorf("appendTimestamp(%v) = %q, want %q", tm, got, want)
		}
		if got, want := string(appendDate([]byte("x"), tm)), "x"+tm.Format("20060102"); got != want {
			t.Errorf("appendDate(%v) = %q, want %q", tm, got, want)
		}
	}
}
