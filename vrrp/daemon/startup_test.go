package daemon

import (
	"reflect"
	"testing"
)

// keepalived 2.2.7 logged this command line in two pieces (run by the
// compat tests' harness).
func TestCommandLineLines(t *testing.T) {
	got := commandLineLines([]string{"keepalived", "-c", "/run/kc.pid", "-n", "-l", "-D", "-f", "/run/k.conf", "-p", "/run/k.pid", "-r", "/run/kv.pid"})
	want := []string{
		"Command line: 'keepalived' '-c' '/run/kc.pid' '-n' '-l' '-D' '-f' '/run/k.conf' '-p' '/run/k.pid' '-r'",
		"              '/run/kv.pid'",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if got := commandLineLines([]string{"govrrpd", "-n"}); !reflect.DeepEqual(got, []string{"Command line: 'govrrpd' '-n'"}) {
		t.Errorf("short: %q", got)
	}
}
