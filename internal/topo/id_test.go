package topo

import (
	"os"
	"strconv"
	"testing"
)

// TestFixedID: a fixed id names every namespace, and a second Build with
// the same id fails without removing the first topology's namespaces.
func TestFixedID(t *testing.T) {
	id := "t" + strconv.Itoa(os.Getpid()%100000)
	spec := Spec{ID: id, Hosts: []HostSpec{{Name: "a", Addrs: []string{"10.99.0.1/24"}}}}
	tp := build(t, spec)
	if tp.Hosts["a"].NS != "gh"+id+"-a" || tp.Bridge != "gh"+id+"-br" {
		t.Fatalf("names: host %s bridge %s", tp.Hosts["a"].NS, tp.Bridge)
	}
	if again, err := Build(spec); err == nil {
		again.Close()
		t.Fatal("second Build with the same id succeeded")
	}
	for _, ns := range []string{tp.Bridge, tp.Hosts["a"].NS} {
		if _, err := os.Stat("/run/netns/" + ns); err != nil {
			t.Errorf("namespace %s of the first topology is gone after the failed Build", ns)
		}
	}
}
