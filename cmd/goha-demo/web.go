package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
)

// webserverMain is a real server of the tutorial: it answers "/" and
// "/index.html" with the page the tutorial writes into nginx's
// index.html, and closes every connection after the answer, as nginx does
// with the tutorial's "keepalive_timeout 0".
func webserverMain(args []string) int {
	fs := flag.NewFlagSet("webserver", flag.ExitOnError)
	listen := fs.String("listen", ":80", "address to listen on")
	page := fs.String("page", "", "content of index.html")
	fs.Parse(args)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && r.URL.Path != "/index.html" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, *page)
	})
	srv := &http.Server{Addr: *listen, Handler: mux}
	srv.SetKeepAlivesEnabled(false)
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "webserver:", err)
		return 1
	}
	return 0
}
