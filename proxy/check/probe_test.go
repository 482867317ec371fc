package check

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTCPProbe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx := context.Background()
	dl := NewDeadlines(time.Now(), time.Second, Timeouts{})
	if r := (TCPProbe{}).Run(ctx, addr, dl); r.Status != StatusL4OK {
		t.Fatalf("open port: %+v", r)
	}
	ln.Close()
	r := TCPProbe{}.Run(ctx, addr, dl)
	// haproxy: "reason: Layer4 connection problem, info: "Connection refused""
	if r.Status != StatusL4Con || r.Info != "Connection refused" || r.Status.Desc() != "Layer4 connection problem" {
		t.Fatalf("closed port: %+v", r)
	}
}

func TestHTTPProbe(t *testing.T) {
	var mu sync.Mutex
	var got []string
	code := 200
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Proto)
		c := code
		mu.Unlock()
		w.WriteHeader(c)
		w.Write([]byte("alive and well"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	ctx := context.Background()

	tests := []struct {
		desc   string
		code   int
		expect Expect
		want   Status
	}{
		{"default 200", 200, Expect{}, StatusL7OK},
		{"default 302", 302, Expect{}, StatusL7OK},
		{"default 503", 503, Expect{}, StatusL7Sts},
		{"status 200 only", 204, Expect{Status: [][2]int{{200, 200}}}, StatusL7Sts},
		{"status range", 204, Expect{Status: [][2]int{{200, 299}}}, StatusL7OK},
		{"! status", 500, Expect{Negate: true, Status: [][2]int{{200, 399}}}, StatusL7OK},
		{"rstatus", 404, Expect{RStatus: regexp.MustCompile("^4")}, StatusL7OK},
		{"string", 200, Expect{String: []byte("alive")}, StatusL7OK},
		{"string missing", 200, Expect{String: []byte("dead")}, StatusL7Rsp},
	}
	for _, tt := range tests {
		mu.Lock()
		code = tt.code
		mu.Unlock()
		r := HTTPProbe{Expect: tt.expect}.Run(ctx, addr, NewDeadlines(time.Now(), time.Second, Timeouts{}))
		if r.Status != tt.want || r.Code != tt.code {
			t.Errorf("%s: got %+v, want %s", tt.desc, r, tt.want.Code())
		}
	}
	if got[0] != "OPTIONS / HTTP/1.0" {
		t.Errorf("default check request: %q", got[0])
	}
}

func TestHTTPProbeTimeout(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // never answers
		}
	}()
	dl := NewDeadlines(time.Now(), 100*time.Millisecond, Timeouts{})
	if r := (HTTPProbe{}).Run(context.Background(), ln.Addr().String(), dl); r.Status != StatusL7Timeout {
		t.Fatalf("got %+v", r)
	}
}

// fakeProbe answers from a script, recording when it ran.
type fakeProbe struct {
	mu      sync.Mutex
	results []bool
	at      []time.Time
}

func (p *fakeProbe) Run(ctx context.Context, addr string, dl Deadlines) Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at = append(p.at, time.Now())
	ok := true
	if len(p.at) <= len(p.results) {
		ok = p.results[len(p.at)-1]
	}
	if ok {
		return Result{Status: StatusL4OK}
	}
	return Result{Status: StatusL4Con, Info: "Connection refused"}
}

// The tutorial's server line: check inter 1s rise 2 fall 2 — scaled down
// to 50ms. Fully up checks every inter; the DOWN transition comes on the
// second consecutive failure.
func TestCheckerSchedulesAndReports(t *testing.T) {
	p := &fakeProbe{results: []bool{true, false, false, true, true}}
	tgt := &Target{Name: "httpservers/http1", Probe: p, Health: NewHealth(2, 2, false), Intervals: Intervals{Inter: 50 * time.Millisecond}}
	var mu sync.Mutex
	var events []Event
	c := Start([]*Target{tgt}, Options{Notify: func(e Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}})
	time.Sleep(290 * time.Millisecond)
	c.Stop()
	mu.Lock()
	defer mu.Unlock()
	if len(events) < 5 {
		t.Fatalf("only %d checks in 290ms at inter 50ms", len(events))
	}
	var trs []Transition
	for _, e := range events[:5] {
		trs = append(trs, e.Transition)
	}
	want := []Transition{NoChange, NoChange, WentDown, NoChange, WentUp}
	for i := range want {
		if trs[i] != want[i] {
			t.Fatalf("transitions %v, want %v", trs, want)
		}
	}
}

func TestIntervals(t *testing.T) {
	iv := Intervals{Inter: 2 * time.Second, Fast: 500 * time.Millisecond, Down: 10 * time.Second}
	h := NewHealth(2, 3, false)
	if d := iv.Next(&h); d != iv.Fast {
		t.Errorf("start-up (transitional): %v, want fastinter", d)
	}
	h.Pass()
	if d := iv.Next(&h); d != iv.Inter {
		t.Errorf("fully up: %v, want inter", d)
	}
	h.Fail()
	if d := iv.Next(&h); d != iv.Fast {
		t.Errorf("going down: %v, want fastinter", d)
	}
	h.Fail()
	h.Fail()
	if d := iv.Next(&h); d != iv.Down {
		t.Errorf("down: %v, want downinter", d)
	}
	if d := (Intervals{Inter: time.Second}).Next(&h); d != time.Second {
		t.Errorf("down without downinter: %v, want inter", d)
	}
}
