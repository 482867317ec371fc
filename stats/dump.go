package stats

import (
	"strconv"
)

// Format selects the output of "show stat" and "show info".
type Format uint8

// Output formats.
const (
	FormatCSV   Format = iota // show stat: CSV; show info: "Name: value"
	FormatTyped               // "typed"
	FormatJSON                // "json"
)

// Filter is the "<iid> <type> <sid>" selection of show stat (management.txt
// §9.3 "show stat"): Bound is false when no filter was given.
type Filter struct {
	Bound bool
	IID   int32 // -1: every proxy
	Types int32 // bit mask: 1 frontends, 2 backends, 4 servers, 8 listeners; -1 all
	SID   int32 // -1: every server/listener
}

func (f Filter) wants(typ int) bool { return !f.Bound || f.Types&(1<<typ) != 0 }

// StatDump renders "show stat" in one of its formats. Reuse it across
// dumps: it keeps its row and byte buffers.
type StatDump struct {
	Format  Format
	Options Options
	Filter  Filter
	Desc    bool // "desc": typed lines get the field description
	Clock   Clock
	// Scope is the stats page's "scope=" search text (case-insensitive
	// substring of the proxy name); ConfScope the "stats scope" names,
	// where "." stands for Self, the proxy serving the page.
	Scope     string
	ConfScope []string
	Self      string

	row     Row
	started bool
}

// AppendHeader writes the CSV header line ("# pxname,svname,...,-,ssl_sess,...").
// Typed output has no header; JSON opens its outer array.
func (d *StatDump) AppendHeader(b []byte) []byte {
	switch d.Format {
	case FormatJSON:
		d.started = false
		return append(b, '[')
	case FormatTyped:
		return b
	}
	b = append(b, "# "...)
	for i := 0; i < NumFields; i++ {
		b = append(b, fieldNames[i].name...)
		b = append(b, ',')
		if i+1 == NumStaticFields {
			b = append(b, "-,"...)
		}
	}
	return append(b, '\n')
}

// AppendTrailer closes the output (JSON's outer array).
func (d *StatDump) AppendTrailer(b []byte) []byte {
	if d.Format == FormatJSON {
		return append(b, "]\n"...)
	}
	return b
}

// AppendProxy writes the lines of one proxy in haproxy's order: frontend,
// listeners, servers, backend; filter and options applied.
func (d *StatDump) AppendProxy(b []byte, px *Proxy) []byte {
	if !d.inScope(px) {
		return b
	}
	f := d.Filter
	if f.Bound && f.IID != -1 && uint32(f.IID) != px.ID {
		return b
	}
	if px.Cap&CapFE != 0 && f.wants(TypeFrontend) {
		FillFrontend(&d.row, px, d.Clock)
		b = d.appendRow(b, &d.row)
	}
	if f.wants(TypeListener) {
		for _, l := range px.Listeners {
			if f.Bound && f.SID != -1 && uint32(f.SID) != l.ID {
				continue
			}
			FillListener(&d.row, px, l, d.Options)
			b = d.appendRow(b, &d.row)
		}
	}
	if f.wants(TypeServer) {
		for _, sv := range px.Servers {
			if f.Bound && f.SID != -1 && uint32(f.SID) != sv.ID {
				continue
			}
			if d.hidden(sv) {
				continue
			}
			FillServer(&d.row, px, sv, d.Clock, d.Options)
			b = d.appendRow(b, &d.row)
		}
	}
	if px.Cap&CapBE != 0 && f.wants(TypeBackend) {
		FillBackend(&d.row, px, d.Clock, d.Options)
		b = d.appendRow(b, &d.row)
	}
	return b
}

// inScope applies "stats scope" and the page's "scope=" search.
func (d *StatDump) inScope(px *Proxy) bool {
	if len(d.ConfScope) > 0 {
		ok := false
		for _, s := range d.ConfScope {
			if s == px.Name || (s == "." && px.Name == d.Self) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return d.Scope == "" || containsFold(px.Name, d.Scope)
}

// hidden applies "no-maint" and "up".
func (d *StatDump) hidden(sv *Server) bool {
	adm := sv.Admin.Load()
	if d.Options.NoMaint && adm&AdminAnyMaint != 0 {
		return true
	}
	if !d.Options.HideDown {
		return false
	}
	if adm&AdminAnyMaint != 0 {
		return true
	}
	if ServerState(sv.State.Load()) != SrvStopped {
		return false
	}
	ref := trackEnd(sv)
	chk, agt := ref.Check(), ref.Agent()
	return (!chk.Enabled && !agt.Enabled) || (agt.Enabled && agt.Health == 0) || (chk.Enabled && chk.Health == 0)
}

// AppendAll writes a whole dump: header, every proxy, trailer.
func (d *StatDump) AppendAll(b []byte, proxies []*Proxy) []byte {
	b = d.AppendHeader(b)
	for _, px := range proxies {
		b = d.AppendProxy(b, px)
	}
	return d.AppendTrailer(b)
}

func (d *StatDump) appendRow(b []byte, r *Row) []byte {
	switch d.Format {
	case FormatTyped:
		return d.appendTypedRow(b, r)
	case FormatJSON:
		return d.appendJSONRow(b, r)
	}
	return AppendCSVRow(b, r)
}

// AppendCSVRow writes one CSV line: every field followed by a comma, the
// "-" separator after the static fields (stats_dump_fields_csv).
func AppendCSVRow(b []byte, r *Row) []byte {
	for i := range r {
		b = appendRaw(b, &r[i])
		b = append(b, ',')
		if i+1 == NumStaticFields {
			b = append(b, "-,"...)
		}
	}
	return append(b, '\n')
}

func objLetter(typ uint64) byte {
	switch typ {
	case TypeFrontend:
		return 'F'
	case TypeBackend:
		return 'B'
	case TypeListener:
		return 'L'
	case TypeServer:
		return 'S'
	}
	return '?'
}

// appendTypedRow writes "F.2.0.4.scur.1:MGP:u32:0" lines, one per set field.
func (d *StatDump) appendTypedRow(b []byte, r *Row) []byte {
	for i := range r {
		f := &r[i]
		if f.Format == FEmpty {
			continue
		}
		b = append(b, objLetter(r[FType].U), '.')
		b = strconv.AppendUint(b, r[FIid].U, 10)
		b = append(b, '.')
		b = strconv.AppendUint(b, r[FSid].U, 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, '.')
		b = append(b, fieldNames[i].name...)
		b = append(b, '.')
		b = strconv.AppendUint(b, r[FPid].U, 10)
		b = append(b, ':')
		b = appendTags(b, f)
		b = append(b, ':')
		b = appendTyped(b, f)
		if d.Desc {
			b = append(b, ":\""...)
			b = append(b, fieldNames[i].desc...)
			b = append(b, '"')
		}
		b = append(b, '\n')
	}
	return b
}

var objTypeNames = [...]string{TypeFrontend: "Frontend", TypeBackend: "Backend", TypeServer: "Server", TypeListener: "Listener"}

// appendJSONRow writes one line as a JSON array of field objects
// (stats_dump_fields_json).
func (d *StatDump) appendJSONRow(b []byte, r *Row) []byte {
	if d.started {
		b = append(b, ',')
	}
	d.started = true
	b = append(b, '[')
	obj := "Unknown"
	if t := r[FType].U; t < uint64(len(objTypeNames)) {
		obj = objTypeNames[t]
	}
	first := true
	for i := range r {
		f := &r[i]
		if f.Format == FEmpty {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"objType":"`...)
		b = append(b, obj...)
		b = append(b, `","proxyId":`...)
		b = strconv.AppendUint(b, r[FIid].U, 10)
		b = append(b, `,"id":`...)
		b = strconv.AppendUint(b, r[FSid].U, 10)
		b = append(b, `,"field":{"pos":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `,"name":"`...)
		b = append(b, fieldNames[i].name...)
		b = append(b, `"},"processNum":`...)
		b = strconv.AppendUint(b, r[FPid].U, 10)
		b = append(b, ',')
		b = appendJSONTagsValue(b, f)
		b = append(b, '}')
	}
	return append(b, ']')
}

// jsonIntMax bounds integers to what JSON consumers can hold exactly
// (RFC 7159 §6); haproxy refuses to print larger ones.
const jsonIntMax = 1<<53 - 1

// appendJSONTagsValue writes `"tags":{...},"value":{...}`.
func appendJSONTagsValue(b []byte, f *Field) []byte {
	b = append(b, `"tags":{"origin":"`...)
	b = append(b, originWords[f.Origin]...)
	b = append(b, `","nature":"`...)
	b = append(b, natureWords[f.Nature]...)
	b = append(b, `","scope":"`...)
	b = append(b, scopeWords[f.Scope]...)
	b = append(b, `"}`...)
	switch f.Format {
	case FU32:
		b = append(b, `,"value":{"type":"u32","value":`...)
		b = strconv.AppendUint(b, f.U, 10)
	case FU64:
		v := f.U
		if v > jsonIntMax {
			v = jsonIntMax
		}
		b = append(b, `,"value":{"type":"u64","value":`...)
		b = strconv.AppendUint(b, v, 10)
	case FS32:
		b = append(b, `,"value":{"type":"s32","value":`...)
		b = strconv.AppendInt(b, f.I, 10)
	case FS64:
		b = append(b, `,"value":{"type":"s64","value":`...)
		b = strconv.AppendInt(b, f.I, 10)
	case FFlt:
		b = append(b, `,"value":{"type":"flt","value":`...)
		b = appendFloat(b, f.F)
	case FStr:
		// haproxy does not escape strings here; neither do we, to stay
		// byte-compatible (names cannot hold quotes in a valid config).
		b = append(b, `,"value":{"type":"str","value":"`...)
		b = append(b, f.S...)
		b = append(b, '"')
	default:
		return b
	}
	return append(b, '}')
}
