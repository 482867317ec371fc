package compattests

import "time"

// --- half-closed connections: timeout client-fin / server-fin, and the
// inactivity timeouts of tunnels (mode tcp and HTTP upgrades) ---
//
// haproxy 2.6 treats a side's read timeout in a tunnel like a FIN from
// that side (the other side gets a FIN, the stream goes on), keeps a side
// alive while bytes are written to it, and once it has shut its write side
// towards a side, gives that side client-fin (server-fin) instead of its
// usual timeout. The scripted servers "hold" (never close first) and
// "half" (close first, then wait) make each of these visible to the client:
// "-- open/closed" says whether the proxy closed within quiet, "-- probe"
// whether it still held a client it had sent its FIN to.

// wsReq is a WebSocket upgrade request for path.
func wsReq(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: e\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: abcdefghijklmnopqrstuv==\r\nSec-WebSocket-Version: 13\r\n\r\n"
}

func halfCloseCases() []bcase {
	tcpFeBe := func(feLines, beLines string) string {
		return "frontend fe\n    bind {L}\n" + indent(feLines) + "    default_backend be\n" +
			"backend be\n" + indent(beLines) + "    server s0 {S0}\n"
	}
	const quiet = time.Second
	return []bcase{
		// the client's FIN reaches the server, which holds: server-fin
		// closes the stream, without it timeout server (2 s) would.
		{name: "tcp-server-fin", tcp: true, cfg: tcpFeBe("", "timeout server-fin 200ms"),
			conns: []bconn{{parts: []string{"hold\n"}, halfClose: true, quiet: quiet}}},
		{name: "tcp-server-fin-unset", tcp: true, cfg: tcpFeBe("", ""),
			conns: []bconn{{parts: []string{"hold\n"}, halfClose: true, quiet: quiet}}},
		// the server closes first, the client holds: client-fin closes
		// the client's socket, so the client's late bytes get a reset.
		{name: "tcp-client-fin", tcp: true, cfg: tcpFeBe("timeout client-fin 150ms", ""),
			conns: []bconn{{parts: []string{"half\n"}, probe: 600 * time.Millisecond}}},
		{name: "tcp-client-fin-unset", tcp: true, cfg: tcpFeBe("", ""),
			conns: []bconn{{parts: []string{"half\n"}, probe: 600 * time.Millisecond}}},
		// a client read timeout is a FIN towards the server, not an
		// abort: a holding server keeps the stream open ...
		{name: "tcp-timeout-client-half", tcp: true, cfg: tcpFeBe("timeout client 200ms", ""),
			conns: []bconn{{parts: []string{"hold\n"}, quiet: quiet}}},
		// ... until server-fin
		{name: "tcp-timeout-client-server-fin", tcp: true, cfg: tcpFeBe("timeout client 200ms", "timeout server-fin 300ms"),
			conns: []bconn{{parts: []string{"hold\n"}, quiet: quiet}}},
		// a server read timeout is a FIN towards the client
		{name: "tcp-timeout-server-half", tcp: true, cfg: tcpFeBe("", "timeout server 200ms"),
			conns: []bconn{{parts: []string{"hold\n"}, quiet: quiet}}},
		// bytes written to a silent client keep it alive
		{name: "tcp-silent-client-download", tcp: true, cfg: tcpFeBe("timeout client 400ms", ""),
			conns: []bconn{{parts: []string{"drip\n"}, quiet: quiet}}},
		// timeout tunnel replaces both the client and the server timeouts
		{name: "tcp-tunnel-both-sides", tcp: true, cfg: tcpFeBe("", "timeout server 200ms\ntimeout tunnel 1500ms"),
			conns: []bconn{{parts: []string{"hold\n"}, quiet: quiet}}},
		// HTTP upgrades: the same rules in the tunnel
		{name: "timeout-tunnel-server-fin", cfg: feBe("", "timeout tunnel 2s\ntimeout server-fin 200ms"),
			conns: []bconn{{parts: []string{wsReq("/wshold"), "x"}, pause: 300 * time.Millisecond, halfClose: true, quiet: quiet}}},
		{name: "timeout-tunnel-server-fin-unset", cfg: feBe("", "timeout tunnel 2s"),
			conns: []bconn{{parts: []string{wsReq("/wshold"), "x"}, pause: 300 * time.Millisecond, halfClose: true, quiet: quiet}}},
		// unlike mode tcp, the server's FIN ends the HTTP stream: the
		// client is closed at once, client-fin or not
		{name: "timeout-tunnel-client-fin", cfg: feBe("timeout client-fin 150ms", "timeout tunnel 2s"),
			conns: []bconn{{parts: []string{wsReq("/wshalf")}, probe: 600 * time.Millisecond}}},
		{name: "timeout-tunnel-client-fin-unset", cfg: feBe("", "timeout tunnel 2s"),
			conns: []bconn{{parts: []string{wsReq("/wshalf")}, probe: 600 * time.Millisecond}}},
		// without timeout tunnel, each side keeps its own timeout
		{name: "timeout-upgrade-client", cfg: feBe("timeout client 200ms", ""),
			conns: []bconn{{parts: []string{wsReq("/ws")}, quiet: quiet}}},
	}
}
