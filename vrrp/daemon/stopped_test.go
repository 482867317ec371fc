package daemon

import (
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

// The exit lines in keepalived 2.2.7's words (lib/utils.c log_stopping,
// core/main.c), as vrrp/testdata/golden/v3-pair/lb1.log shows them.
func TestStoppedLines(t *testing.T) {
	ru := func(us, uu, ss, su int64) *unix.Rusage {
		return &unix.Rusage{Utime: unix.Timeval{Sec: us, Usec: uu}, Stime: unix.Timeval{Sec: ss, Usec: su}}
	}
	for _, c := range []struct {
		name           string
		self, children *unix.Rusage
		detail         bool
		want           []string
	}{
		{"no -D", ru(0, 7150, 0, 7150), ru(0, 0, 0, 0), false,
			[]string{"Stopped", "Stopped govrrpd (keepalived v2.2.7 compatible)"}},
		{"-D, no script time", ru(0, 0, 0, 6449), ru(0, 0, 0, 8156), true, []string{
			"Stopped - used 0.000000 user time, 0.006449 system time",
			"CPU usage (self/children) user: 0.000000/0.000000 system: 0.006449/0.008156",
			"Stopped govrrpd (keepalived v2.2.7 compatible)"}},
		{"-D, scripts used user time", ru(1, 20, 0, 300000), ru(0, 4000, 2, 5), true, []string{
			"Stopped - used (self/children) 1.000020/0.004000 user time, 0.300000/2.000005 system time",
			"CPU usage (self/children) user: 1.000020/0.004000 system: 0.300000/2.000005",
			"Stopped govrrpd (keepalived v2.2.7 compatible)"}},
	} {
		if got := stoppedLines(c.self, c.children, c.detail); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}
