package proxy

import (
	"bytes"
	"strconv"
	"sync"
	"time"

	"goha/proxy/http1"
	"goha/stats"
)

// promScratch keeps an exporter and its output buffer between scrapes:
// a dump of a large configuration is hundreds of kilobytes.
type promScratch struct {
	exp stats.PromExporter
	buf []byte
}

var promPool = sync.Pool{New: func() any { return new(promScratch) }}

// servePrometheus answers a request taken by "http-request use-service
// prometheus-exporter" as haproxy 2.6's exporter applet does
// (addons/promex/service-prometheus.c): the query string selects scopes
// (a bad one gets haproxy's 400 page and the connection closes), the
// answer is a chunked 200 with the text format, a HEAD gets the head
// only, and the connection stays open for the next request. The log
// names the applet "<PROMEX>" with termination state "LR", and the
// frontend counts an intercepted request when its own rules took it.
func (s *stream) servePrometheus() bool {
	s.applet = "<PROMEX>"
	s.term = [2]byte{'L', 'R'}
	if s.logged {
		// the applet is the "server": haproxy logs its queue, connect
		// and response timers as 0, not -1
		now := time.Now()
		s.tQueue, s.tConn, s.tData = now, now, now
	}
	if s.be == nil {
		// haproxy counts it when the stream's backend is still the
		// frontend (sess->fe == s->be, src/http_ana.c)
		s.f.st.FE.Intercepted.Add(1)
	}
	var query []byte
	if i := bytes.IndexByte(s.txn.URI, '?'); i >= 0 {
		query = s.txn.URI[i+1:]
	}
	opt, err := stats.ParsePromQuery(string(query))
	if err != nil {
		// the applet copies the whole HTX error message into the
		// response: its body counts in %B also for a HEAD, whose body
		// the output then drops (measured with haproxy 2.6.12)
		msg := http1.ErrorResponseHTX(400)
		keep := s.sendLocal(msg, false)
		if isHEAD(s.txn.Method) {
			s.bytes[1] += uint64(len(msg) - s.localResp.HeadLen)
		}
		return keep
	}
	keep := s.canKeep()
	close := !keep || s.f.e.stopping()

	out := append(s.out[:0], "HTTP/1.1 200 OK\r\n"...)
	out = stats.AppendPageHeaders(out, stats.PagePrometheus, 0, true, close)
	body := 0
	if !isHEAD(s.txn.Method) {
		ps := promPool.Get().(*promScratch)
		ps.exp.Options = opt
		e := s.f.e
		clk := e.Clock()
		ps.buf = ps.exp.Append(ps.buf[:0], e.Info(clk), e.Proxies(), clk)
		body = len(ps.buf)
		out = appendChunk(out, ps.buf)
		promPool.Put(ps)
		out = append(out, "0\r\n\r\n"...)
	}
	// counted once the dump is made: haproxy counts the status when the
	// stream ends, so a scrape does not see its own response; a backend
	// chosen by then counts the request with it (src/stream.c,
	// process_stream: be cum_req goes with rsp[n])
	s.countResponse(200)
	s.countPage(out, body)
	s.out = out[:0]
	_, werr := s.client.Write(out)
	s.consume()
	return keep && !close && werr == nil
}

// appendChunk writes data as one HTTP/1.1 chunk, its size in upper-case
// hexadecimal as haproxy's H1 layer writes it; nothing for empty data
// (an empty chunk would end the body).
func appendChunk(b, data []byte) []byte {
	if len(data) == 0 {
		return b
	}
	n := len(b)
	b = strconv.AppendUint(b, uint64(len(data)), 16)
	for i := n; i < len(b); i++ {
		if b[i] >= 'a' {
			b[i] -= 'a' - 'A'
		}
	}
	b = append(b, "\r\n"...)
	b = append(b, data...)
	return append(b, "\r\n"...)
}
