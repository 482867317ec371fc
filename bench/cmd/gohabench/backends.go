package main

import (
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// mib is the size of the large response and the unit of bulk figures.
const mib = 1 << 20

// backends are the origin servers every target talks to: nginx for HTTP
// and an in-process Go byte source for mode tcp. Both run on the load
// generator's CPU (the harness itself is pinned there).
type backends struct {
	nginx     *process
	httpPort  int // nginx: /small, *.html, /1m.bin
	closePort int // nginx: closes after each response
	tcpSource *tcpSource
}

// startBackends starts them, retrying with new ports if another program
// took one first.
func startBackends(tmp, nginxBin, cpu string) (*backends, error) {
	var err error
	for i := range 3 {
		var b *backends
		if b, err = startBackendsOnce(filepath.Join(tmp, fmt.Sprintf("nginx-backend-%d", i)), nginxBin, cpu); err == nil {
			return b, nil
		}
	}
	return nil, err
}

func startBackendsOnce(dir, nginxBin, cpu string) (*backends, error) {
	root := filepath.Join(dir, "www")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	big := make([]byte, mib)
	rand.Read(big)
	if err := os.WriteFile(filepath.Join(root, "1m.bin"), big, 0o644); err != nil {
		return nil, err
	}
	b := &backends{httpPort: freePort(), closePort: freePort()}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxBackendConfig(dir, root, b.httpPort, b.closePort)), 0o644); err != nil {
		return nil, err
	}
	p, err := startPinned("nginx backend", cpu, filepath.Join(dir, "stderr.log"), nil,
		nginxBin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", conf, "-g", "daemon off;")
	if err != nil {
		return nil, err
	}
	b.nginx = p
	for _, port := range []int{b.httpPort, b.closePort} {
		if _, err := waitListening(p, addrOf(port), 10*time.Second); err != nil {
			p.stop()
			return nil, err
		}
	}
	src, err := newTCPSource()
	if err != nil {
		p.stop()
		return nil, err
	}
	b.tcpSource = src
	return b, nil
}

func (b *backends) stop() {
	b.nginx.stop()
	b.tcpSource.close()
}

func addrOf(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }

// tcpSource is the mode tcp scenario's server: it writes an endless
// stream to every connection until the peer goes away.
type tcpSource struct {
	ln   net.Listener
	port int
	wg   sync.WaitGroup
}

func newTCPSource() (*tcpSource, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &tcpSource{ln: ln, port: ln.Addr().(*net.TCPAddr).Port}
	chunk := make([]byte, 256<<10)
	rand.Read(chunk)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				for {
					if _, err := c.Write(chunk); err != nil {
						return
					}
				}
			}()
		}
	}()
	return s, nil
}

func (s *tcpSource) close() {
	s.ln.Close()
	s.wg.Wait()
}
