package stats

import (
	"strconv"
)

// Origin, Nature and Scope are the three tags haproxy attaches to every
// field (management.txt §9.2 "Typed output format"): where the value comes
// from, what kind of quantity it is, and how wide its validity is.
type Origin uint8

// Origins, in haproxy's order (FO_*).
const (
	OMetric Origin = iota
	OStatus
	OKey
	OConfig
	OProduct
)

// Nature tells how a value evolves (FN_*).
type Nature uint8

// Natures, in haproxy's order.
const (
	NGauge Nature = iota
	NLimit
	NMin
	NMax
	NRate
	NCounter
	NDuration
	NAge
	NTime
	NName
	NOutput
	NAvg
)

// Scope tells how far a value is valid (FS_*).
type Scope uint8

// Scopes, in haproxy's order.
const (
	SProcess Scope = iota
	SService
	SSystem
	SCluster
)

// ValueFormat is the storage type of a field's value; FEmpty means "not set",
// which CSV prints as nothing and typed/JSON output skips.
type ValueFormat uint8

// Formats (FF_*).
const (
	FEmpty ValueFormat = iota
	FS32
	FS64
	FU32
	FU64
	FStr
	FFlt
)

// Field is one cell of a stats line: tags, format and value.
type Field struct {
	Origin Origin
	Nature Nature
	Scope  Scope
	Format ValueFormat
	U      uint64 // FU32, FU64
	I      int64  // FS32, FS64
	S      string // FStr
	F      float64
}

// Tags is the origin/nature/scope triple, written like haproxy's "MCP".
type Tags struct {
	O Origin
	N Nature
	S Scope
}

// Common tag sets used by the fill functions.
var (
	tGauge   = Tags{OMetric, NGauge, SProcess}
	tMax     = Tags{OMetric, NMax, SProcess}
	tLimit   = Tags{OConfig, NLimit, SProcess}
	tCounter = Tags{OMetric, NCounter, SProcess}
	tRate    = Tags{OMetric, NRate, SProcess}
	tAge     = Tags{OMetric, NAge, SProcess}
	tAvg     = Tags{OMetric, NAvg, SProcess}
	tOutput  = Tags{OMetric, NOutput, SProcess}
	tDur     = Tags{OMetric, NDuration, SProcess}
	tStatus  = Tags{OStatus, NGauge, SProcess}
	tKey     = Tags{OKey, NGauge, SProcess}
	tKeySvc  = Tags{OKey, NGauge, SService}
	tName    = Tags{OKey, NName, SService}
	tConfSvc = Tags{OConfig, NGauge, SService}
	tCfgName = Tags{OConfig, NName, SService}
)

func u32(t Tags, v uint32) Field {
	return Field{Origin: t.O, Nature: t.N, Scope: t.S, Format: FU32, U: uint64(v)}
}

func u64(t Tags, v uint64) Field {
	return Field{Origin: t.O, Nature: t.N, Scope: t.S, Format: FU64, U: v}
}

func s32(t Tags, v int32) Field {
	return Field{Origin: t.O, Nature: t.N, Scope: t.S, Format: FS32, I: int64(v)}
}

func str(t Tags, v string) Field {
	return Field{Origin: t.O, Nature: t.N, Scope: t.S, Format: FStr, S: v}
}

const originLetters = "MSKCP"
const natureLetters = "GLmMRCDATNOa"
const scopeLetters = "PSsC"

var originWords = [...]string{"Metric", "Status", "Key", "Config", "Product"}
var natureWords = [...]string{"Gauge", "Limit", "Min", "Max", "Rate", "Counter", "Duration", "Age", "Time", "Name", "Output", "Avg"}
var scopeWords = [...]string{"Process", "Service", "System", "Cluster"}

// appendTags writes the 3-letter tag code ("MCP").
func appendTags(b []byte, f *Field) []byte {
	return append(b, originLetters[f.Origin], natureLetters[f.Nature], scopeLetters[f.Scope])
}

// appendRaw writes a value the way haproxy's CSV and "show info" print it
// (stats_emit_raw_data_field); strings are CSV-quoted only when needed.
func appendRaw(b []byte, f *Field) []byte {
	switch f.Format {
	case FU32, FU64:
		return strconv.AppendUint(b, f.U, 10)
	case FS32, FS64:
		return strconv.AppendInt(b, f.I, 10)
	case FFlt:
		return appendFloat(b, f.F)
	case FStr:
		return appendCSVString(b, f.S)
	}
	return b
}

// appendTyped writes "type:value" as in the typed output formats.
func appendTyped(b []byte, f *Field) []byte {
	switch f.Format {
	case FU32:
		return strconv.AppendUint(append(b, "u32:"...), f.U, 10)
	case FU64:
		return strconv.AppendUint(append(b, "u64:"...), f.U, 10)
	case FS32:
		return strconv.AppendInt(append(b, "s32:"...), f.I, 10)
	case FS64:
		return strconv.AppendInt(append(b, "s64:"...), f.I, 10)
	case FFlt:
		return appendFloat(append(b, "flt:"...), f.F)
	case FStr:
		return append(append(b, "str:"...), f.S...)
	}
	return b
}

// appendFloat prints like C's "%f" then trims trailing zeroes and a
// trailing dot, as haproxy's flt_trim() does.
func appendFloat(b []byte, v float64) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, v, 'f', 6, 64)
	end := len(b)
	for end > start && b[end-1] == '0' {
		end--
	}
	if end > start && b[end-1] == '.' {
		end--
	}
	return b[:end]
}

// appendCSVString quotes s only if it holds a quote, comma, CR or LF, and
// doubles embedded quotes (csv_enc_append with quote=1).
func appendCSVString(b []byte, s string) []byte {
	need := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', ',', '\r', '\n':
			need = true
		}
	}
	if !need {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}
