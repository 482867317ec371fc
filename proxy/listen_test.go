package proxy

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"goha/proxy/sock"
)

// The runtime API answers on an abns@ stats socket too.
func TestStatsSocketAbstract(t *testing.T) {
	name := "goha-proxy-test-" + filepath.Base(t.TempDir())
	startEngine(t, "global\n    stats socket abns@"+name+"\n"+
		"defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n"+
		"frontend fe\n    bind "+freePort(t)+"\n", nil)
	c, err := sock.Dial(context.Background(), &net.Dialer{}, sock.Target("abns@"+name))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte("show info\n"))
	b, _ := io.ReadAll(c)
	if !strings.Contains(string(b), "Name: ") {
		t.Fatalf("show info over abns@: %q", b)
	}
}
