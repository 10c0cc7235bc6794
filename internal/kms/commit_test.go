package kms

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// storeWriters are the functions that may call the store's Update
// directly, with the reason each needs no audit record of its own.
var storeWriters = map[string]string{
	"commit":          "commits a request's change with its audit record (update, updateKnown)",
	"serviceEvent":    "commits Trent's own change with its AwsServiceEvent record",
	"FlushUsage":      "bookkeeping of GetKeyLastUsage, not a change any API call made",
	"emptyTrash":      "removes the records of a key whose deletion was committed and audited already",
	"UpgradeLayout":   "marks the layout version at start-up",
	"rebuildDueIndex": "rebuilds derived index entries at start-up",
}

// TestEveryChangeIsAudited: a store Update outside the functions above
// could commit a change without its audit record. This walks the package
// so that a new one cannot slip in unnoticed.
func TestEveryChangeIsAudited(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Update" {
					return true
				}
				if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "store" {
					if _, allowed := storeWriters[fn.Name.Name]; !allowed {
						t.Errorf("%s: %s calls the store's Update directly; commit the change through update (or serviceEvent) so its audit record is committed with it",
							fset.Position(sel.Pos()), fn.Name.Name)
					}
				}
				return true
			})
		}
	}
}
