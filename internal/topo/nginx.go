package topo

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Nginx is an nginx real server running inside a host, set up as the
// tutorial sets up its two real servers: the stock configuration with
// `keepalive_timeout 0` and an index.html naming the server.
type Nginx struct {
	host *Host
	cmd  *exec.Cmd
	dir  string // inside the host
}

// nginxConf is Debian's default server reduced to what the tutorial relies
// on, with every path inside dir so that several run side by side.
const nginxConf = `worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 256; }
http {
    access_log %[1]s/access.log;
    keepalive_timeout  0;
    client_body_temp_path %[1]s/tmp;
    proxy_temp_path %[1]s/tmp;
    fastcgi_temp_path %[1]s/tmp;
    uwsgi_temp_path %[1]s/tmp;
    scgi_temp_path %[1]s/tmp;
    server {
        listen %[2]d default_server;
        root %[1]s/html;
        index index.html;
    }
}
`

// StartNginx starts nginx inside h on port, serving index.html with body
// (for the tutorial: "this is first real-server\n").
func (h *Host) StartNginx(port int, body string) (*Nginx, error) {
	if _, err := exec.LookPath("nginx"); err != nil {
		return nil, fmt.Errorf("topo: nginx not installed (apt-get install nginx)")
	}
	dir := "/run/nginx-" + strconv.Itoa(port)
	if err := h.WriteFile(filepath.Join(dir, "html/index.html"), body); err != nil {
		return nil, err
	}
	if err := h.WriteFile(filepath.Join(dir, "nginx.conf"), fmt.Sprintf(nginxConf, dir, port)); err != nil {
		return nil, err
	}
	if err := h.Run("mkdir", "-p", dir+"/tmp"); err != nil {
		return nil, err
	}
	n := &Nginx{host: h, dir: dir}
	return n, n.Start()
}

// Start (re)starts nginx in the foreground and waits until it accepts.
func (n *Nginx) Start() error {
	n.cmd = n.host.Command("nginx", "-c", n.dir+"/nginx.conf", "-g", "daemon off;")
	if err := n.host.Start(n.cmd); err != nil {
		return err
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if pid, err := readPid(n.host.Path(n.dir + "/nginx.pid")); err == nil && pid > 0 {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("topo: nginx in %s did not start", n.host.Name)
}

// Stop stops nginx as `systemctl stop nginx` would (SIGQUIT, graceful) and
// waits for it to exit.
func (n *Nginx) Stop() error {
	if n.cmd == nil || n.cmd.Process == nil {
		return nil
	}
	pid, err := readPid(n.host.Path(n.dir + "/nginx.pid"))
	if err == nil {
		syscall.Kill(pid, syscall.SIGQUIT)
	}
	done := make(chan struct{})
	go func() { n.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	n.cmd = nil
	return nil
}
