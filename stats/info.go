package stats

import (
	"fmt"
	"strconv"
)

// infoKinds gives each show info field its tags and storage type, as
// haproxy 2.6.12 reports them in "show info typed" (stats_fill_info).
// FEmpty marks fields this build never prints (zlib ones: the Debian build
// compresses with libslz).
var infoKinds = [NumInfoFields]struct {
	t Tags
	f ValueFormat
}{
	IName: {Tags{OProduct, NOutput, SService}, FStr}, IVersion: {Tags{OProduct, NOutput, SService}, FStr},
	IReleaseDate: {Tags{OProduct, NOutput, SService}, FStr}, INbthread: {tConfSvc, FU32},
	INbproc: {tConfSvc, FU32}, IProcessNum: {tKey, FU32}, IPid: {tStatus, FU32},
	IUptime: {tDur, FStr}, IUptimeSec: {tDur, FU32}, IMemmaxMB: {tLimit, FU32},
	IPoolAllocMB: {tGauge, FU32}, IPoolUsedMB: {tGauge, FU32}, IPoolFailed: {tCounter, FU32},
	IUlimitN: {tLimit, FU32}, IMaxsock: {tLimit, FU32}, IMaxconn: {tLimit, FU32},
	IHardMaxconn: {tLimit, FU32}, ICurrConns: {tGauge, FU32}, ICumConns: {tCounter, FU32},
	ICumReq: {tCounter, FU32}, IMaxSslConns: {tMax, FU32}, ICurrSslConns: {tGauge, FU32},
	ICumSslConns: {tCounter, FU32}, IMaxpipes: {tLimit, FU32}, IPipesUsed: {tGauge, FU32},
	IPipesFree: {tGauge, FU32}, IConnRate: {tRate, FU32}, IConnRateLimit: {tLimit, FU32},
	IMaxConnRate: {tMax, FU32}, ISessRate: {tRate, FU32}, ISessRateLimit: {tLimit, FU32},
	IMaxSessRate: {tRate, FU32}, ISslRate: {tRate, FU32}, ISslRateLimit: {tLimit, FU32},
	IMaxSslRate: {tMax, FU32}, ISslFrontendKeyRate: {tGauge, FU32},
	ISslFrontendMaxKeyRate: {tMax, FU32}, ISslFrontendSessionReusePct: {tGauge, FU32},
	ISslBackendKeyRate: {tRate, FU32}, ISslBackendMaxKeyRate: {tMax, FU32},
	ISslCacheLookups: {tCounter, FU32}, ISslCacheMisses: {tCounter, FU32},
	ICompressBpsIn: {tRate, FU32}, ICompressBpsOut: {tRate, FU32},
	ICompressBpsRateLim: {tLimit, FU32}, IZlibMemUsage: {tGauge, FEmpty},
	IMaxZlibMemUsage: {tLimit, FEmpty}, ITasks: {tGauge, FU32}, IRunQueue: {tGauge, FU32},
	IIdlePct: {tAvg, FU32}, INode: {Tags{OConfig, NOutput, SService}, FStr},
	IDescription: {Tags{OConfig, NOutput, SService}, FStr}, IStopping: {tGauge, FU32},
	IJobs: {tGauge, FU32}, IUnstoppableJobs: {tGauge, FU32}, IListeners: {tGauge, FU32},
	IActivePeers: {tGauge, FU32}, IConnectedPeers: {tGauge, FU32}, IDroppedLogs: {tGauge, FU32},
	IBusyPolling: {tGauge, FU32}, IFailedResolutions: {tGauge, FU32},
	ITotalBytesOut: {tGauge, FU64}, ITotalSplicdedBytesOut: {tGauge, FU64},
	IBytesOutRate: {tRate, FU64}, IDebugCommandsIssued: {tGauge, FU32},
	ICumRecvLogs: {tCounter, FU32}, IBuildInfo: {Tags{OProduct, NOutput, SService}, FStr},
	IMemmaxBytes: {tLimit, FU32}, IPoolAllocBytes: {tGauge, FU64}, IPoolUsedBytes: {tGauge, FU64},
	IStartTimeSec: {tDur, FU32}, ITainted: {tStatus, FStr},
}

// Info holds the values of "show info". Numbers go in U by field index,
// strings in S; Uptime is derived from Uptime_sec, and description is only
// printed when set (as haproxy does for global.desc).
type Info struct {
	U [NumInfoFields]uint64
	S [NumInfoFields]string
	// F holds the precise values "show info float" prints for the fields
	// of infoFloat (uptime and start time with microseconds, rates over
	// the last second as fractions); Float selects them.
	F     [NumInfoFields]float64
	Float bool
}

// infoFloat lists the fields "float" turns into floating point, with the
// tags haproxy 2.6.12 gives them then (verified: show info typed float).
var infoFloat = map[int]Tags{
	IUptimeSec: tDur, IStartTimeSec: tDur, IConnRate: tRate, ISessRate: tRate, ISslRate: tRate,
	ISslFrontendKeyRate: tRate, ISslFrontendSessionReusePct: tRate, ISslBackendKeyRate: tRate,
	ICompressBpsIn: tRate, ICompressBpsOut: tRate,
}

// Uptime formats seconds like haproxy's "0d 0h00m01s".
func Uptime(sec uint64) string {
	return fmt.Sprintf("%dd %dh%02dm%02ds", sec/86400, (sec%86400)/3600, (sec%3600)/60, sec%60)
}

// Fields returns the info fields ready to print.
func (in *Info) Fields() [NumInfoFields]Field {
	var out [NumInfoFields]Field
	for i := range out {
		k := infoKinds[i]
		f := Field{Origin: k.t.O, Nature: k.t.N, Scope: k.t.S, Format: k.f}
		switch k.f {
		case FStr:
			f.S = in.S[i]
		case FU32:
			f.U = uint64(uint32(in.U[i]))
		default:
			f.U = in.U[i]
		}
		out[i] = f
	}
	out[IUptime].S = Uptime(in.U[IUptimeSec])
	if in.Float {
		for i, t := range infoFloat {
			out[i] = Field{Origin: t.O, Nature: t.N, Scope: t.S, Format: FFlt, F: in.F[i]}
		}
	}
	if in.S[IDescription] == "" {
		out[IDescription].Format = FEmpty
	}
	return out
}

// AppendInfo renders "show info" in the given format; desc adds the field
// descriptions (stats_dump_info_fields, _typed_, _json_).
func AppendInfo(b []byte, in *Info, format Format, desc bool) []byte {
	fields := in.Fields()
	proc := fields[IProcessNum].U
	if format == FormatJSON {
		b = append(b, '[')
	}
	started := false
	for i := range fields {
		f := &fields[i]
		if f.Format == FEmpty {
			continue
		}
		switch format {
		case FormatTyped:
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, '.')
			b = append(b, infoNames[i].name...)
			b = append(b, '.')
			b = strconv.AppendUint(b, proc, 10)
			b = append(b, ':')
			b = appendTags(b, f)
			b = append(b, ':')
			b = appendTyped(b, f)
		case FormatJSON:
			if started {
				b = append(b, ',')
			}
			b = append(b, `{"field":{"pos":`...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, `,"name":"`...)
			b = append(b, infoNames[i].name...)
			b = append(b, `"},"processNum":`...)
			b = strconv.AppendUint(b, proc, 10)
			b = append(b, ',')
			b = appendJSONTagsValue(b, f)
			b = append(b, '}')
		default:
			b = append(b, infoNames[i].name...)
			b = append(b, ": "...)
			b = appendRaw(b, f)
		}
		started = true
		if format != FormatJSON {
			if desc {
				b = append(b, ":\""...)
				b = append(b, infoNames[i].desc...)
				b = append(b, '"')
			}
			b = append(b, '\n')
		}
	}
	if format == FormatJSON {
		b = append(b, "]\n"...)
	}
	return b
}
