package stats

import (
	"strconv"
	"sync/atomic"
	"time"
)

// Process holds the process-wide figures of "show info" that move at run
// time; everything is atomic, like the per-proxy counters.
type Process struct {
	CurrConns  atomic.Int64  // CurrConns (actconn)
	CumConns   atomic.Uint64 // CumConns (totalconn)
	CumReq     atomic.Uint64 // CumReq
	ConnRate   FreqCtr       // ConnRate
	SessRate   FreqCtr       // SessRate
	MaxConnRt  atomic.Uint32 // MaxConnRate
	MaxSessRt  atomic.Uint32 // MaxSessRate
	BytesOut   atomic.Uint64 // TotalBytesOut
	BytesOutRt FreqCtr       // BytesOutRate, counted in 32-byte units as haproxy does
	Jobs       atomic.Int64
	Listeners  atomic.Int64
	Stopping   atomic.Bool
	Dropped    atomic.Uint64 // DroppedLogs
	Started    time.Time
}

// Conn counts an accepted connection process-wide.
func (p *Process) Conn(now uint32) {
	p.CumConns.Add(1)
	p.CurrConns.Add(1)
	updateMax(&p.MaxConnRt, p.ConnRate.Add(now, 1))
}

// Sess counts a session process-wide.
func (p *Process) Sess(now uint32) { updateMax(&p.MaxSessRt, p.SessRate.Add(now, 1)) }

// Out counts bytes sent to clients and servers.
func (p *Process) Out(now uint32, n uint64) {
	p.BytesOut.Add(n)
	p.BytesOutRt.Add(now, uint32(n/32))
}

// ClearMax is the process part of "clear counters" (with or without
// "all"): haproxy resets only the global maxima (cps_max, sps_max, ssl
// maxima), never the cumulated totals.
func (p *Process) ClearMax() {
	p.MaxConnRt.Store(0)
	p.MaxSessRt.Store(0)
}

// Fill copies the run-time figures into in; the static ones (Name,
// Version, limits, Pid, node, ...) are the caller's, set once.
func (p *Process) Fill(in *Info, clk Clock) {
	up := uint64(0)
	if !p.Started.IsZero() {
		up = uint64(time.Unix(clk.Unix, 0).Sub(p.Started.Truncate(time.Second)) / time.Second)
		in.U[IStartTimeSec] = uint64(p.Started.Unix())
	}
	in.U[IUptimeSec] = up
	if !p.Started.IsZero() {
		in.F[IUptimeSec] = float64(time.Unix(clk.Unix, 0).Sub(p.Started)) / float64(time.Second)
		in.F[IStartTimeSec] = float64(p.Started.UnixMicro()) / 1e6
	}
	in.F[IConnRate] = p.ConnRate.ReadFloat(clk.Ms)
	in.F[ISessRate] = p.SessRate.ReadFloat(clk.Ms)
	in.U[ICurrConns] = uint64(p.CurrConns.Load())
	in.U[ICumConns] = p.CumConns.Load()
	in.U[ICumReq] = p.CumReq.Load()
	in.U[IConnRate] = uint64(p.ConnRate.Read(clk.Ms))
	in.U[IMaxConnRate] = uint64(p.MaxConnRt.Load())
	in.U[ISessRate] = uint64(p.SessRate.Read(clk.Ms))
	in.U[IMaxSessRate] = uint64(p.MaxSessRt.Load())
	in.U[ITotalBytesOut] = p.BytesOut.Load()
	in.U[IBytesOutRate] = uint64(p.BytesOutRt.Read(clk.Ms)) * 32
	in.U[IJobs] = uint64(p.Jobs.Load())
	in.U[IListeners] = uint64(p.Listeners.Load())
	in.U[IDroppedLogs] = p.Dropped.Load()
	if p.Stopping.Load() {
		in.U[IStopping] = 1
	} else {
		in.U[IStopping] = 0
	}
}

// Tainted formats haproxy's taint flags as its show info does ("%#x").
func Tainted(flags uint32) string {
	if flags == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(uint64(flags), 16)
}
