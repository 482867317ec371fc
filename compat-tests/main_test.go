package compattests

import (
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"goha/internal/topo"
)

// TestMain guards against go test's -timeout: when it ends the binary,
// no deferred or Cleanup function runs, and the VRRP tests' network
// namespaces, their holder processes and the daemons in them would stay
// behind (the package needs about 12 minutes; go test's default limit is
// 10, make test passes 30). Shortly before the limit, the topologies
// still open are removed.
func TestMain(m *testing.M) {
	flag.Parse()
	if d := testTimeout(); d > 0 {
		// Removing a topology waits up to 5 s for its processes to go.
		margin := max(d/20, 30*time.Second)
		if margin >= d {
			margin = d / 2
		}
		time.AfterFunc(d-margin, func() {
			fmt.Fprintf(os.Stderr, "compat-tests: go test's -timeout %v ends this binary in %v, before the tests' cleanups can run: removing their network namespaces and the processes in them now (make test gives the package -timeout 30m)\n", d, margin)
			if err := topo.CloseAll(); err != nil {
				fmt.Fprintln(os.Stderr, "compat-tests:", err)
			}
		})
	}
	os.Exit(m.Run())
}

// testTimeout is go test's -timeout for this binary (0: none).
func testTimeout() time.Duration {
	f := flag.Lookup("test.timeout")
	if f == nil {
		return 0
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return 0
	}
	d, _ := g.Get().(time.Duration)
	return d
}
