package http1_test

import (
	"fmt"

	"goha/proxy/http1"
)

func Example() {
	buf := []byte("POST /upload HTTP/1.0\r\nHost: Example.com\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
	req := http1.NewRequest(http1.DefaultLimits)
	done, err := req.Parse(buf[:20]) // a partial read
	fmt.Println(done, err)
	done, err = req.Parse(buf) // the rest arrived
	fmt.Println(done, err, req.Body, req.ContentLength, req.KeepAlive)
	host, _ := req.Lookup(buf, "HOST")
	fmt.Printf("%s\n", host)
	fmt.Printf("%q\n", http1.AppendRequestHead(nil, buf, req))
	// Output:
	// false <nil>
	// true <nil> length 5 false
	// Example.com
	// "POST /upload HTTP/1.0\r\nhost: Example.com\r\ncontent-length: 5\r\nconnection: keep-alive\r\n\r\n"
}
