package topo

// The tutorial's addresses (testdata/seed/tutorial.txt, "环境准备"): two load
// balancers, two nginx real servers, and the virtual IP keepalived moves.
// The client host is ours: the tutorial browses from a desktop machine.
const (
	MasterAddr = "192.168.13.128"
	BackupAddr = "192.168.13.129"
	RS1Addr    = "192.168.13.133"
	RS2Addr    = "192.168.13.137"
	ClientAddr = "192.168.13.150"
	VIP        = "192.168.13.144"
	Iface      = "ens33"
)

// Tutorial returns the tutorial's topology: hosts master, backup,
// real-server1, real-server2 and client on one segment, each with interface
// ens33, its own /etc/haproxy, /etc/keepalived and /run, and
// the given /etc/hosts content (pass the tutorial's testdata/seed/hosts).
func Tutorial(hosts string) Spec {
	host := func(name, addr string) HostSpec {
		return HostSpec{
			Name:     name,
			Iface:    Iface,
			Addrs:    []string{addr + "/24"},
			Private:  []string{"/etc/haproxy", "/etc/keepalived", "/run"},
			Overlays: map[string]string{"/etc/hosts": hosts},
		}
	}
	return Spec{Hosts: []HostSpec{
		host("master", MasterAddr),
		host("backup", BackupAddr),
		host("real-server1", RS1Addr),
		host("real-server2", RS2Addr),
		host("client", ClientAddr),
	}}
}
