package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Target names, in the order every round runs them: goproxy and haproxy
// alternate (A B A B ...), then the two anchors.
const (
	tGoproxy = "goproxy"
	tHaproxy = "haproxy"
	tNginx   = "nginx"
	// tGoproxyB is a second goproxy binary (-goproxy-b), run right after
	// goproxy in every round: an engine change measured beside the
	// unchanged engine.
	tGoproxyB = "goproxy-b"
	tDirect   = "direct"
)

// running is one started target: the process whose CPU and memory we
// read (nil for direct) and the address the load generator uses.
type running struct {
	proc *process
	addr string
}

func (r *running) stop() {
	if r != nil {
		r.proc.stop()
	}
}

// startTarget starts target t for a scenario of the given shape, on the
// proxy CPU, and waits until it accepts connections. backend is the
// origin port the proxy forwards to.
//
// The front port comes from the kernel and another program on the machine
// may take it before the target binds it, so a failed start is retried
// with a new port.
func (h *harness) startTarget(t string, shape proxyShape, backend int, keepUpstream bool) (*running, error) {
	var err error
	for range 3 {
		var r *running
		if r, err = h.startTargetOnce(t, shape, backend, keepUpstream); err == nil {
			return r, nil
		}
	}
	return nil, err
}

func (h *harness) startTargetOnce(t string, shape proxyShape, backend int, keepUpstream bool) (*running, error) {
	h.starts++
	dir := filepath.Join(h.tmp, fmt.Sprintf("%03d-%s", h.starts, t))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	front := freePort()
	var (
		p   *process
		err error
	)
	switch t {
	case tDirect:
		return &running{addr: addrOf(backend)}, nil
	case tGoproxy, tGoproxyB, tHaproxy:
		cfg := filepath.Join(dir, "proxy.cfg")
		if err := os.WriteFile(cfg, []byte(haproxyConfig(shape, front, backend)), 0o644); err != nil {
			return nil, err
		}
		bin, env := h.binary(t)
		p, err = startPinned(t, h.proxyCPU, filepath.Join(dir, "stderr.log"), env, bin, "-db", "-f", cfg)
	case tNginx:
		conf := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(conf, []byte(nginxProxyConfig(dir, front, backend, keepUpstream)), 0o644); err != nil {
			return nil, err
		}
		p, err = startPinned(t, h.proxyCPU, filepath.Join(dir, "stderr.log"), nil,
			h.nginx, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", conf, "-g", "daemon off;")
	default:
		return nil, fmt.Errorf("unknown target %q", t)
	}
	if err != nil {
		return nil, err
	}
	addr := addrOf(front)
	if _, err := waitListening(p, addr, 10*time.Second); err != nil {
		p.stop()
		return nil, err
	}
	return &running{proc: p, addr: addr}, nil
}

// binary is the program and extra environment of a proxy target.
func (h *harness) binary(t string) (string, []string) {
	switch t {
	case tGoproxy:
		return h.goproxy, append([]string{"GOMAXPROCS=1"}, h.goproxyEnv...)
	case tGoproxyB:
		return h.goproxyB, []string{"GOMAXPROCS=1"}
	}
	return h.haproxy, nil
}

// cpu is the target's CPU seconds so far (0 for direct).
func (r *running) cpu() float64 {
	if r.proc == nil {
		return 0
	}
	return cpuSeconds(r.proc.pid())
}

func (r *running) rss() int64 {
	if r.proc == nil {
		return 0
	}
	return rssKiB(r.proc.pid())
}
