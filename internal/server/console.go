package server

import (
	"net/http"

	"github.com/trent-kms/trent/internal/console"
)

// withConsole puts the web console in front of the API handler: GET and
// HEAD of /console and /console/... go to the console (or, when it is
// turned off, to a 404 that says so); every other request, whatever its
// method or path, reaches api exactly as before. The KMS API is only ever
// POST /, so the two never claim the same request.
func withConsole(api http.Handler, disabled bool) http.Handler {
	pages := console.Handler()
	if disabled {
		pages = console.Disabled()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && console.OwnsPath(r.URL.Path) {
			pages.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}
