// Command goha-demo is the README's "run it": it brings up the tutorial's
// two load balancers (goproxy + govrrpd on master 192.168.13.128 and backup
// 192.168.13.129) in front of two real servers, in network namespaces on
// this machine, shows a failover of the virtual IP 192.168.13.144 live, and
// stays up for you to try until Ctrl-C.
//
//	goha-demo [-bin DIR] [-seed DIR] [-once]   bring the demo up (make demo)
//	goha-demo down                             tear a demo down (make demo-down)
//
// The real servers are this program again, re-executed inside their
// namespaces as a tiny web server ("goha-demo webserver"), so nginx is not
// needed. Everything the demo creates is named ghdemo-* and recorded in
// /run/goha-demo/state.json, which "down" uses.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "webserver":
			os.Exit(webserverMain(os.Args[2:]))
		case "down":
			os.Exit(downMain(os.Args[2:]))
		case "up":
			os.Args = append(os.Args[:1], os.Args[2:]...)
		}
	}
	fs := flag.NewFlagSet("goha-demo", flag.ExitOnError)
	var o upOptions
	fs.StringVar(&o.binDir, "bin", "bin", "directory holding goproxy and govrrpd")
	fs.StringVar(&o.seedDir, "seed", "testdata/seed", "directory holding the tutorial's files")
	fs.BoolVar(&o.once, "once", false, "tear down after the failover instead of waiting for Ctrl-C")
	fs.BoolVar(&o.noFailover, "no-failover", false, "bring the topology up without the failover show")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: goha-demo [up] [flags] | goha-demo down\n")
		fs.PrintDefaults()
	}
	fs.Parse(os.Args[1:])
	os.Exit(upMain(o))
}
