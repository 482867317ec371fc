package compattests

// Network namespaces for the keepalived comparisons. keepalived -t checks
// that every interface a configuration names exists in the current network
// namespace, so both binaries run inside a namespace the test creates: one
// with the interfaces the corpus uses (a veth pair ens33 <-> eth1; the
// dummy driver is not available everywhere), or one with only lo, for the
// "interface missing" verdicts.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "regenerate golden files from the reference binaries")
	}
}

// kaUpdate reports whether goldens are being regenerated (-update).
func kaUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

var netnsSeq atomic.Int64

// canUseNetns says why namespaces cannot be used here, or "".
// GOHA_KA_GOLDEN_ONLY=1 forces the golden-file comparisons (to exercise
// the path a machine without root or keepalived takes).
func canUseNetns() string {
	if os.Getenv("GOHA_KA_GOLDEN_ONLY") != "" {
		return "GOHA_KA_GOLDEN_ONLY is set"
	}
	if os.Geteuid() != 0 {
		return "not root: cannot create network namespaces"
	}
	for _, tool := range []string{"ip", "unshare", "mount"} {
		if _, err := exec.LookPath(tool); err != nil {
			return tool + " not installed"
		}
	}
	return ""
}

// lookKeepalived finds the reference binary (not when GOHA_KA_GOLDEN_ONLY
// is set).
func lookKeepalived() (string, error) {
	if os.Getenv("GOHA_KA_GOLDEN_ONLY") != "" {
		return "", errors.New("GOHA_KA_GOLDEN_ONLY is set")
	}
	return exec.LookPath("keepalived")
}

// newNetns creates a network namespace, removed when the test ends. With
// withIfaces it holds the veth pair ens33 <-> eth1, both up.
func newNetns(t *testing.T, withIfaces bool) string {
	t.Helper()
	name := fmt.Sprintf("goha-ka-%d-%d", os.Getpid(), netnsSeq.Add(1))
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	ip("netns", "add", name)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	ip("-n", name, "link", "set", "lo", "up")
	if withIfaces {
		ip("-n", name, "link", "add", "ens33", "type", "veth", "peer", "name", "eth1")
		ip("-n", name, "link", "set", "ens33", "up")
		ip("-n", name, "link", "set", "eth1", "up")
	}
	return name
}

// nsRun is the result of one run.
type nsRun struct {
	Exit   int
	Stdout string
	Stderr string
}

// runInNetns runs argv in namespace ns, in directory dir, inside a private
// mount namespace whose /etc/keepalived is an empty tmpfs (so scripts the
// configurations name under /etc/keepalived are absent, whatever the host
// has), or holds the given files (name -> content, mode 0755).
func runInNetns(t *testing.T, ns, dir string, files map[string]string, argv ...string) nsRun {
	t.Helper()
	var setup strings.Builder
	setup.WriteString("if [ -d /etc/keepalived ]; then mount -t tmpfs goha-ka /etc/keepalived || exit 97; fi\n")
	var extra []string
	for name, content := range files {
		fmt.Fprintf(&setup, "printf '%%s' \"$%d\" > /etc/keepalived/%s && chmod 0755 /etc/keepalived/%s || exit 97\n", len(extra)+1, name, name)
		extra = append(extra, content)
	}
	fmt.Fprintf(&setup, "shift %d\ncd \"$1\" && shift && exec \"$@\"\n", len(extra))
	args := []string{"netns", "exec", ns, "unshare", "-m", "--propagation", "private", "sh", "-c", setup.String(), "sh"}
	args = append(args, extra...)
	args = append(args, dir)
	args = append(args, argv...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := nsRun{Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Exit = ee.ExitCode()
		if r.Exit == -1 {
			t.Fatalf("%s killed by a signal (%v)\nstderr: %s", strings.Join(argv, " "), err, r.Stderr)
		}
	default:
		t.Fatalf("running %s: %v", strings.Join(argv, " "), err)
	}
	if r.Exit == 97 {
		t.Fatalf("cannot prepare the mount namespace: %s", r.Stderr)
	}
	return r
}
