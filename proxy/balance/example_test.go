package balance_test

import (
	"fmt"

	"goha/proxy/balance"
)

// The engine builds one Balancer per backend, asks it for a server per
// request and reports what happens to connections and servers.
func Example() {
	b, err := balance.New(balance.Options{Algorithm: balance.RoundRobin}, []balance.ServerConfig{
		{Name: "web1", Weight: 2},
		{Name: "web2", Weight: 1},
		{Name: "spare", Weight: 1, Backup: true},
	})
	if err != nil {
		panic(err)
	}
	pick := func() string {
		s := b.Pick(&balance.Request{}, nil)
		if s == nil {
			return "503"
		}
		b.TakeConn(s) // the connection is open...
		b.DropConn(s) // ...and done
		return s.Name()
	}
	// haproxy's FWRR serves the heavier server's turns first in each
	// window (see testdata/golden/rr_w1_2.txt).
	fmt.Println(pick(), pick(), pick())
	b.SetDown(b.Server("web1"))
	b.SetMaintenance(b.Server("web2"), true)
	fmt.Println(pick(), b.ActiveServers(), b.BackupServers())
	b.SetDown(b.Server("spare"))
	fmt.Println(pick(), b.Usable())
	// Output:
	// web1 web1 web2
	// spare 0 1
	// 503 false
}
