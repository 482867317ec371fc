package main

import (
	"fmt"
	"strings"
)

// The configurations below are written once per start into the run's
// temporary directory. goproxy and haproxy always read the same file.

// proxyShape says what the proxied configuration looks like.
type proxyShape int

const (
	shapePlain    proxyShape = iota // one frontend, one backend, one server
	shapeTutorial                   // the tutorial's url_reg acl and two servers
	shapeTCP                        // mode tcp, one server
	shapeStats                      // shapePlain with the stats page enabled
)

// statsURI is where shapeStats serves the stats page; the stats scenario
// scrapes its CSV while the load runs, as a monitoring system would.
const statsURI = "/goha-bench-stats"

// haproxyConfig is the configuration both goproxy and haproxy run.
//
// nbthread 1 keeps haproxy on the one CPU it is pinned to (goproxy gets
// GOMAXPROCS=1 for the same reason). "no strict-limits": the machine's
// hard limit of open files is 20,000 and haproxy wants 2 × maxconn
// descriptors; without it haproxy refuses maxconn 10500, which the
// 10,000 idle connections need (their server side is closed by the
// backend, so 10,000 descriptors are enough).
func haproxyConfig(shape proxyShape, front, backend int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `global
    maxconn 10500
    nbthread 1
    no strict-limits

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 60s
    http-reuse safe
`)
	switch shape {
	case shapePlain, shapeStats:
		stats := ""
		if shape == shapeStats {
			stats = "    stats enable\n    stats uri " + statsURI + "\n"
		}
		fmt.Fprintf(&b, `
frontend fe
    bind 127.0.0.1:%d
%s    default_backend be

backend be
    server s1 127.0.0.1:%d
`, front, stats, backend)
	case shapeTutorial:
		// The tutorial's frontend and backend (testdata/check/haproxy/
		// 01-tutorial.cfg) with the servers on the local nginx and its
		// health checks kept.
		fmt.Fprintf(&b, `
frontend web
    bind 127.0.0.1:%d
    acl html url_reg -i \.html$
    use_backend httpservers if html
    default_backend httpservers

backend httpservers
    balance roundrobin
    server http1 127.0.0.1:%d maxconn 2000 weight 1 check inter 1s rise 2 fall 2
    server http2 127.0.0.1:%d maxconn 2000 weight 1 check inter 1s rise 2 fall 2
`, front, backend, backend)
	case shapeTCP:
		fmt.Fprintf(&b, `
listen bulk
    mode tcp
    bind 127.0.0.1:%d
    server src 127.0.0.1:%d
`, front, backend)
	}
	return b.String()
}

// nginxCommon keeps every path nginx writes inside dir.
func nginxCommon(dir string, connections int) string {
	return fmt.Sprintf(`worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections %[2]d; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 60s;
`, dir, connections)
}

// smallBody is what the backend answers for /small and *.html.
const smallBody = "hello from the goha bench backend\n"

// nginxBackendConfig is the origin server: small answers from memory, a
// 1 MiB file by sendfile, and a second port that closes every connection
// after its response (the idle scenario's backend, so that a proxy keeps
// only the client's side open).
func nginxBackendConfig(dir, root string, port, closePort int) string {
	return nginxCommon(dir, 19000) + fmt.Sprintf(`  sendfile on;
  server {
    listen 127.0.0.1:%[1]d backlog=4096;
    location = /small { default_type text/plain; return 200 %[4]q; }
    location ~ \.html$ { default_type text/html; return 200 %[4]q; }
    location / { root %[3]s; }
  }
  server {
    listen 127.0.0.1:%[2]d backlog=4096;
    keepalive_timeout 0;
    location / { default_type text/plain; return 200 %[4]q; }
  }
}
`, port, closePort, root, smallBody)
}

// nginxProxyConfig is the second anchor: nginx as a reverse proxy with
// kept-alive upstream connections (its equivalent of http-reuse), or a
// plain upstream for the idle scenario's closing backend.
func nginxProxyConfig(dir string, front, backend int, keepUpstream bool) string {
	upstreamKeep, connHeader := "", ""
	if keepUpstream {
		upstreamKeep = "keepalive 128;"
		connHeader = `proxy_set_header Connection "";`
	}
	return nginxCommon(dir, 19000) + fmt.Sprintf(`  upstream be { server 127.0.0.1:%[2]d; %[3]s }
  server {
    listen 127.0.0.1:%[1]d backlog=4096;
    location / {
      proxy_pass http://be;
      proxy_http_version 1.1;
      %[4]s
      proxy_buffers 16 64k;
      proxy_max_temp_file_size 0;
    }
  }
}
`, front, backend, upstreamKeep, connHeader)
}
