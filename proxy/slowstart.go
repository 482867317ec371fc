package proxy

import "time"

// warmup drives a server's "slowstart" ramp (configuration.txt §5.2
// "slowstart"): every max(1 s, slowstart/20), as haproxy's server_warmup
// task, the balancer recomputes its weight and maxconn from the time
// since it came up, until it is fully up, goes down again or the engine
// stops.
func (e *Engine) warmup(b *backend, s *server, since time.Time) {
	t := time.NewTicker(s.lbs.WarmupInterval())
	defer t.Stop()
	for {
		select {
		case <-e.closing:
			return
		case <-t.C:
		}
		b.mu.Lock()
		if !s.warmSince.Equal(since) {
			b.mu.Unlock()
			return // went down and came back: a newer ramp runs
		}
		b.lb.Warmup(s.lbs, time.Since(since))
		b.dispatchQueue()
		starting := s.lbs.Starting()
		b.mu.Unlock()
		if !starting {
			return
		}
	}
}
