package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// scrapeEvery fetches http://addr+path every interval until the returned
// function is called; that function reports how many scrapes succeeded
// and the first failure. Each answer must be haproxy's CSV (its "# pxname"
// header), so that a proxy cannot pass by answering something cheaper.
func scrapeEvery(addr, path string, interval time.Duration) func() (int, error) {
	stop := make(chan struct{})
	done := make(chan struct{})
	var n int
	var first error
	client := &http.Client{Timeout: 5 * time.Second}
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			if err := scrapeOnce(client, "http://"+addr+path); err != nil {
				if first == nil {
					first = err
				}
				continue
			}
			n++
		}
	}()
	return func() (int, error) {
		close(stop)
		<-done
		return n, first
	}
}

func scrapeOnce(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "# pxname,") {
		return fmt.Errorf("%s: status %d, %d bytes", url, resp.StatusCode, len(body))
	}
	return nil
}
