package clock

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// testSupport are the packages allowed the wall clock: this one, and two
// packages of test code compiled as packages so that several packages'
// tests can use them: the store conformance suite, which bounds its waits
// for concurrent transactions in real time, and etcdtest, which bounds how
// long an embedded etcd may take to start.
var testSupport = map[string]bool{"clock": true, "storetest": true, "etcdtest": true}

// wallClockFuncs are the functions of package time that read the wall
// clock or wait on it. Timers count too: a loop that ticks on time.Ticker
// cannot be driven by a test that moves a Manual clock.
var wallClockFuncs = map[string]bool{
	"Now": true, "Since": true, "Until": true,
	"NewTicker": true, "NewTimer": true, "Tick": true, "After": true, "AfterFunc": true, "Sleep": true,
}

// TestOnlyClockReadsTheWallClock enforces the rule that time is injected:
// no non-test code under internal/ other than this package reads the wall
// clock or starts a timer on it, so every date Trent computes and every
// background tick comes from a Clock a test can move.
func TestOnlyClockReadsTheWallClock(t *testing.T) {
	root := filepath.Join("..")
	var offenders []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if filepath.Dir(path) == "." || testSupport[filepath.Base(filepath.Dir(path))] {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		timeName := ""
		for _, imp := range f.Imports {
			if imp.Path.Value == `"time"` {
				timeName = "time"
				if imp.Name != nil {
					timeName = imp.Name.Name
				}
			}
		}
		if timeName == "" {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == timeName && wallClockFuncs[sel.Sel.Name] {
				offenders = append(offenders, fset.Position(sel.Pos()).String())
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(offenders) > 0 {
		t.Fatalf("wall clock read outside internal/clock (use an injected clock.Clock):\n%s", strings.Join(offenders, "\n"))
	}
}
