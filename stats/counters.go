package stats

import (
	"sync/atomic"
	"time"

	"goha/internal/clock"
)

// Every counter here is updated with atomics only: the request path never
// takes a lock to count (issue 4 acceptance).

var clockStart = clock.Mono()

// NowMs is the millisecond clock the rate counters run on (haproxy's
// global_now_ms). It wraps after ~49 days, as haproxy's does; rate
// arithmetic is done modulo 2^32. One monotonic clock read (the request
// path asks it several times per request).
func NowMs() uint32 { return msAt(clock.Mono()) }

// MsAt is NowMs at the monotonic instant m (see At).
func MsAt(m int64) uint32 { return msAt(m) }

func msAt(m int64) uint32 { return uint32((m - clockStart) / int64(time.Millisecond)) }

// FreqCtr counts events per second the way haproxy's freq_ctr does: the
// current second's count plus the previous second's count weighted by the
// part of the previous second that still lies within the last 1000 ms.
type FreqCtr struct {
	tick atomic.Uint32 // start of the current period in ms; bit 0 set while rotating
	curr atomic.Uint32
	prev atomic.Uint32
}

const ratePeriod = 1000

// Add counts inc events at time now (ms) and returns the current period's count.
func (c *FreqCtr) Add(now, inc uint32) uint32 {
	var tick uint32
	for {
		tick = c.tick.Load()
		if now-tick < ratePeriod {
			return c.curr.Add(inc)
		}
		if tick&1 == 0 && c.tick.CompareAndSwap(tick, tick|1) {
			break
		}
	}
	// We own the rotation; others only add to curr meanwhile.
	c.prev.Store(c.curr.Swap(inc))
	tick += ratePeriod
	if now-tick >= ratePeriod {
		// at least two periods were missed
		c.prev.Store(0)
		tick = now
	}
	c.tick.Store(tick &^ 1)
	return inc
}

// Read returns the events per second at time now (read_freq_ctr).
func (c *FreqCtr) Read(now uint32) uint32 {
	return uint32(c.total(now) / ratePeriod)
}

// ReadFloat is Read with the fraction kept (read_freq_ctr_flt), for
// "show info float".
func (c *FreqCtr) ReadFloat(now uint32) float64 {
	return float64(c.total(now)) / ratePeriod
}

// total is freq_ctr_total(): events over the sliding period, times the
// period, with haproxy's correction against flapping at very low rates.
func (c *FreqCtr) total(now uint32) uint64 {
	var tick, curr, past uint32
	for {
		tick = c.tick.Load()
		curr = c.curr.Load()
		past = c.prev.Load()
		if tick&1 == 0 && tick == c.tick.Load() && curr == c.curr.Load() && past == c.prev.Load() {
			break
		}
	}
	remain := int64(int32(tick + ratePeriod - now))
	if remain < 0 {
		// past the first period: part of the last one may still count
		remain += ratePeriod
		if remain >= 0 {
			past = curr
		} else {
			past = 0
		}
		curr = 0
	}
	// flapping correction at very low rates
	if curr == 0 && past <= 1 {
		return uint64(past) * ratePeriod
	}
	return uint64(past)*uint64(remain) + uint64(curr)*ratePeriod
}

// Reset forgets all events.
func (c *FreqCtr) Reset() { c.curr.Store(0); c.prev.Store(0) }

// SWRate is haproxy's sliding-window average (swrate_add/swrate_avg) over
// TimeSamples samples, used for qtime/ctime/rtime/ttime.
type SWRate struct{ sum atomic.Uint32 }

// TimeSamples is haproxy's TIME_STATS_SAMPLES.
const TimeSamples = 512

// Add feeds one sample (in ms).
func (s *SWRate) Add(v uint32) {
	for {
		old := s.sum.Load()
		n := old - (old+TimeSamples-1)/TimeSamples + v
		if s.sum.CompareAndSwap(old, n) {
			return
		}
	}
}

// Avg returns the average over a window of n samples (swrate_avg).
func (s *SWRate) Avg(n uint32) uint32 { return (s.sum.Load() + n - 1) / n }

// Sum exposes the raw sum (for tests and for seeding from a snapshot).
func (s *SWRate) Sum() uint32 { return s.sum.Load() }

// SetSum seeds the raw sum.
func (s *SWRate) SetSum(v uint32) { s.sum.Store(v) }

// updateMax raises m to v if v is larger.
func updateMax(m *atomic.Uint32, v uint32) {
	for {
		old := m.Load()
		if v <= old || m.CompareAndSwap(old, v) {
			return
		}
	}
}

// Counters holds what haproxy keeps in fe_counters/be_counters and the
// per-server and per-listener counters. One struct serves every object;
// each object's fill function shows only the fields haproxy shows for it.
type Counters struct {
	CumConn      atomic.Uint64 // conn_tot (frontend), stot (listener)
	CumSess      atomic.Uint64 // stot (frontend, server)
	CumLbConn    atomic.Uint64 // lbtot; stot for backends is CumConn
	BytesIn      atomic.Uint64
	BytesOut     atomic.Uint64
	DeniedReq    atomic.Uint64
	DeniedResp   atomic.Uint64
	DeniedConn   atomic.Uint64
	DeniedSess   atomic.Uint64
	FailedReq    atomic.Uint64 // ereq
	FailedConns  atomic.Uint64 // econ
	FailedResp   atomic.Uint64 // eresp
	Retries      atomic.Uint64 // wretr
	Redispatches atomic.Uint64 // wredis
	FailedRewr   atomic.Uint64 // wrew
	InternalErr  atomic.Uint64 // eint
	CliAborts    atomic.Uint64
	SrvAborts    atomic.Uint64
	Intercepted  atomic.Uint64
	CompIn       atomic.Uint64
	CompOut      atomic.Uint64
	CompByp      atomic.Uint64
	CompRsp      atomic.Uint64
	CumReq       atomic.Uint64
	Rsp          [6]atomic.Uint64 // index status/100; 0 is "other"
	CacheLookups atomic.Uint64
	CacheHits    atomic.Uint64
	Connect      atomic.Uint64
	Reuse        atomic.Uint64
	FailedChecks atomic.Uint64 // chkfail
	DownTrans    atomic.Uint64 // chkdown (servers)
	FailedHana   atomic.Uint64

	ConnMax   atomic.Uint32 // smax
	NbPendMax atomic.Uint32 // qmax
	SpsMax    atomic.Uint32 // rate_max
	CpsMax    atomic.Uint32 // conn_rate_max
	RpsMax    atomic.Uint32 // req_rate_max
	QTimeMax  atomic.Uint32
	CTimeMax  atomic.Uint32
	DTimeMax  atomic.Uint32
	TTimeMax  atomic.Uint32

	QTime, CTime, DTime, TTime SWRate

	LastSess atomic.Int64 // unix seconds of the last session, 0 = never
}

// ClearMax is "clear counters": only the maxima are reset (management.txt
// §9.3 "clear counters"; cli_parse_clear_counters in src/stats.c).
func (c *Counters) ClearMax() {
	for _, m := range []*atomic.Uint32{&c.ConnMax, &c.NbPendMax, &c.SpsMax, &c.CpsMax, &c.RpsMax,
		&c.QTimeMax, &c.CTimeMax, &c.DTimeMax, &c.TTimeMax} {
		m.Store(0)
	}
}

// ClearAll is "clear counters all": every counter of the object restarts from
// zero, as haproxy's memset of the counters struct does. Gauges (current
// sessions, queue), states and downtime are not counters and are kept.
func (c *Counters) ClearAll() {
	for _, v := range []*atomic.Uint64{&c.CumConn, &c.CumSess, &c.CumLbConn, &c.BytesIn, &c.BytesOut,
		&c.DeniedReq, &c.DeniedResp, &c.DeniedConn, &c.DeniedSess, &c.FailedReq, &c.FailedConns,
		&c.FailedResp, &c.Retries, &c.Redispatches, &c.FailedRewr, &c.InternalErr, &c.CliAborts,
		&c.SrvAborts, &c.Intercepted, &c.CompIn, &c.CompOut, &c.CompByp, &c.CompRsp, &c.CumReq,
		&c.Rsp[0], &c.Rsp[1], &c.Rsp[2], &c.Rsp[3], &c.Rsp[4], &c.Rsp[5], &c.CacheLookups,
		&c.CacheHits, &c.Connect, &c.Reuse, &c.FailedChecks, &c.DownTrans, &c.FailedHana} {
		v.Store(0)
	}
	c.ClearMax()
	c.QTime.SetSum(0)
	c.CTime.SetSum(0)
	c.DTime.SetSum(0)
	c.TTime.SetSum(0)
	c.LastSess.Store(0)
}

// AddResponse counts one HTTP response by status class (hrsp_*).
func (c *Counters) AddResponse(status int) {
	cls := status / 100
	if cls < 1 || cls > 5 {
		cls = 0
	}
	c.Rsp[cls].Add(1)
}

// AddTimes records one stream's queue/connect/response/total times in ms,
// feeding the sliding averages and the maxima (srv_add_timers-like).
func (c *Counters) AddTimes(q, cn, d, t uint32) {
	c.QTime.Add(q)
	c.CTime.Add(cn)
	c.DTime.Add(d)
	c.TTime.Add(t)
	updateMax(&c.QTimeMax, q)
	updateMax(&c.CTimeMax, cn)
	updateMax(&c.DTimeMax, d)
	updateMax(&c.TTimeMax, t)
}

// ModuleCounters are the extra counters of the ssl, h2 and h1 statistics
// modules, in their column order (ssl_sess ... h1_spliced_bytes_out).
type ModuleCounters struct {
	V [NumFields - NumStaticFields]atomic.Uint64
}

// Add increments module field f (an F* index at or after NumStaticFields).
func (m *ModuleCounters) Add(f int, n uint64) { m.V[f-NumStaticFields].Add(n) }

// Sub decrements a gauge module field.
func (m *ModuleCounters) Sub(f int, n uint64) { m.V[f-NumStaticFields].Add(^(n - 1)) }

// Clear resets every module counter.
func (m *ModuleCounters) Clear() {
	for i := range m.V {
		m.V[i].Store(0)
	}
}
