package proxy

import (
	"regexp"
	"testing"
)

// TestApplyEditsOrder checks that edits apply in rule order on the
// forwarded head, before the connection field the H1 layer appends.
func TestApplyEditsOrder(t *testing.T) {
	head := []byte("GET / HTTP/1.0\r\nhost: a\r\nx-a: 0\r\nx-b: 0\r\nx-l: ab, ac\r\nconnection: keep-alive\r\n\r\n")
	re := regexp.MustCompile(`^a(.*)`)
	edits := []headerEdit{
		{op: editSet, name: "x-a", value: []byte("1")},
		{op: editAdd, name: "x-a", value: []byte("2")},
		{op: editDel, name: "x-b"},
		{op: editAdd, name: "x-b", value: []byte("3")},
		{op: editValue, name: "x-l", re: re, tmpl: []byte("z${1}")},
	}
	var es editScratch
	got := string(applyEdits(&es, nil, head, edits, nil, false))
	want := "GET / HTTP/1.0\r\nhost: a\r\nx-l: zb,zc\r\nx-a: 1\r\nx-a: 2\r\nx-b: 3\r\nconnection: keep-alive\r\n\r\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	got = string(applyEdits(&es, nil, head, nil, []byte("PUT /x HTTP/1.0\r\n"), true))
	want = "PUT /x HTTP/1.0\r\nhost: a\r\nx-a: 0\r\nx-b: 0\r\nx-l: ab, ac\r\nconnection: close\r\n\r\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// BenchmarkApplyEdits is the cost "option forwardfor" plus two header
// rules add to every request: no allocation once the buffers are warm.
func BenchmarkApplyEdits(b *testing.B) {
	head := []byte("GET /index.html HTTP/1.1\r\nhost: example.com\r\nuser-agent: curl/8\r\naccept: */*\r\n\r\n")
	edits := []headerEdit{
		{op: editSet, name: "x-custom", value: []byte("hello")},
		{op: editDel, name: "accept"},
		{op: editAdd, name: "x-forwarded-for", value: []byte("127.0.0.1")},
	}
	var es editScratch
	dst := make([]byte, 0, 512)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		dst = applyEdits(&es, dst[:0], head, edits, nil, false)
	}
}
