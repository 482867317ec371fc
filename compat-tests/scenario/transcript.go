package scenario

import (
	"bufio"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Transcript is what one run of a scenario showed a user, normalised so
// that two runs of the same implementation print the same text. It is
// plain text, one fact a line, grouped in sections:
//
//	# scenario browse
//	# run haproxy 2.6 + keepalived 2.2.7
//	== http
//	GET / -> 200 real-server1
//	  HTTP/1.1 200 OK
//	  ...
//	== timing
//	start->vip-on-master 3710ms ±700ms
//
// Every section but "timing" is compared line by line; timing figures are
// compared by window (see Timing.Window), never byte for byte. Lines
// starting with "#" are comments (the run line says which implementation
// ran) and are not compared.
type Transcript struct {
	Scenario string
	Run      string
	Sections []*Section
	Timings  []Timing
}

// Section is one named group of lines.
type Section struct {
	Name  string
	Lines []string
}

// Timing is one measured delay. A zero Value with Missing set means the
// event it measures never happened (printed as "-").
type Timing struct {
	Name    string
	Value   time.Duration
	Missing bool
	// Window is how far another implementation's figure may be from this
	// one and still count as the same behaviour.
	Window time.Duration
}

func (t Timing) String() string {
	v := "-"
	if !t.Missing {
		v = fmtMs(t.Value)
	}
	return fmt.Sprintf("%s %s ±%s", t.Name, v, fmtMs(t.Window))
}

func fmtMs(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + "ms" }

// Section returns the named section, creating it at the end.
func (t *Transcript) Section(name string) *Section {
	for _, s := range t.Sections {
		if s.Name == name {
			return s
		}
	}
	s := &Section{Name: name}
	t.Sections = append(t.Sections, s)
	return s
}

// Timing returns the named figure.
func (t *Transcript) Timing(name string) (Timing, bool) {
	for _, f := range t.Timings {
		if f.Name == name {
			return f, true
		}
	}
	return Timing{}, false
}

// String renders the transcript.
func (t *Transcript) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# scenario %s\n# run %s\n", t.Scenario, t.Run)
	for _, s := range t.Sections {
		fmt.Fprintf(&b, "== %s\n", s.Name)
		for _, l := range s.Lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	b.WriteString("== timing\n")
	for _, f := range t.Timings {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Parse reads a rendered transcript back.
func Parse(text string) (*Transcript, error) {
	t := &Transcript{}
	var cur *Section
	inTiming := false
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "# scenario "):
			t.Scenario = strings.TrimPrefix(l, "# scenario ")
		case strings.HasPrefix(l, "# run "):
			t.Run = strings.TrimPrefix(l, "# run ")
		case strings.HasPrefix(l, "== "):
			name := strings.TrimPrefix(l, "== ")
			inTiming = name == "timing"
			if !inTiming {
				cur = t.Section(name)
			}
		case inTiming:
			f, err := parseTiming(l)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			t.Timings = append(t.Timings, f)
		case cur != nil:
			cur.Lines = append(cur.Lines, l)
		default:
			return nil, fmt.Errorf("line %d: text outside a section", n)
		}
	}
	return t, sc.Err()
}

func parseTiming(l string) (Timing, error) {
	f := strings.Fields(l)
	if len(f) != 3 || !strings.HasPrefix(f[2], "±") {
		return Timing{}, fmt.Errorf("bad timing line %q", l)
	}
	t := Timing{Name: f[0]}
	w, err := parseMs(strings.TrimPrefix(f[2], "±"))
	if err != nil {
		return t, err
	}
	t.Window = w
	if f[1] == "-" {
		t.Missing = true
		return t, nil
	}
	t.Value, err = parseMs(f[1])
	return t, err
}

func parseMs(s string) (time.Duration, error) {
	n, err := strconv.ParseInt(strings.TrimSuffix(s, "ms"), 10, 64)
	return time.Duration(n) * time.Millisecond, err
}

// recorder collects a transcript from several goroutines.
type recorder struct {
	mu sync.Mutex
	t  *Transcript
}

func (r *recorder) add(section string, lines ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.t.Section(section)
	s.Lines = append(s.Lines, lines...)
}

func (r *recorder) timing(name string, d time.Duration, ok bool, window time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !ok {
		d = 0
	}
	r.t.Timings = append(r.t.Timings, Timing{Name: name, Value: d, Missing: !ok, Window: window})
}

// sectionRank orders sections the same way in every transcript, whatever
// order the goroutines that fill them created them in.
var sectionRank = []string{"script", "http", "stats", "vip", "vrrp", "states", "log", "systemctl"}

func sortSections(ss []*Section) {
	rank := func(name string) int {
		for i, p := range sectionRank {
			if name == p || strings.HasPrefix(name, p+" ") {
				return i
			}
		}
		return len(sectionRank)
	}
	sort.SliceStable(ss, func(i, j int) bool {
		ri, rj := rank(ss[i].Name), rank(ss[j].Name)
		if ri != rj {
			return ri < rj
		}
		return ss[i].Name < ss[j].Name
	})
}
