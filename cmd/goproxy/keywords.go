package main

import (
	"fmt"
	"io"
	"strings"
)

// keywordClasses are the classes haproxy 2.6's -dK knows.
var keywordClasses = [][2]string{
	{"all", "list all keywords"},
	{"acl", "ACL keywords"},
	{"cfg", "configuration keywords"},
	{"cli", "CLI keywords"},
	{"cnv", "sample converter keywords"},
	{"flt", "filter names"},
	{"smp", "sample fetch functions"},
	{"svc", "service names"},
}

// dumpKeywords is -dK<class>[,...]: "help" lists the classes; the
// registries themselves are not exposed by the parser yet, which is said on
// stderr rather than printing an empty list as if it were complete.
func dumpKeywords(stdout, stderr io.Writer, classes string) {
	for _, c := range strings.Split(classes, ",") {
		switch c {
		case "":
		case "help":
			fmt.Fprintln(stdout, "# List of supported keyword classes:")
			for _, k := range keywordClasses {
				fmt.Fprintf(stdout, "%s: %s\n", k[0], k[1])
			}
		default:
			fmt.Fprintf(stderr, "goproxy: -dK%s: keyword dumps are not implemented yet\n", c)
		}
	}
}
