package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// readMicro parses "go test -bench -benchmem" output (bench/micro.sh).
func readMicro(path string) ([]MicroResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseMicro(bufio.NewScanner(f)), nil
}

// parseMicro reads benchmark lines such as
//
//	BenchmarkPick/roundrobin-2  	12345678	  95.1 ns/op	 0 B/op	 0 allocs/op
//
// with the package taken from the "pkg:" line before them.
func parseMicro(sc *bufio.Scanner) []MicroResult {
	var out []MicroResult
	pkg := ""
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		m := MicroResult{Package: pkg, Name: trimProcs(f[0])}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				m.NsPerOp = v
			case "B/op":
				m.BytesPerOp = v
			case "allocs/op":
				m.AllocsPerOp = v
			case "MB/s":
				m.MBPerSec = v
			}
		}
		out = append(out, m)
	}
	return out
}

// trimProcs drops the "-N" GOMAXPROCS suffix go test adds to names.
func trimProcs(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return name
}
