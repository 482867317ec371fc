package main

import (
	"math"
	"slices"
)

// Report is bench/results/latest.json.
type Report struct {
	Meta      Meta              `json:"meta"`
	Scenarios []*ScenarioResult `json:"scenarios"`
	Targets   []TargetStatus    `json:"targets"`
	Micro     []MicroResult     `json:"micro,omitempty"`
	Profiles  []*ProfileResult  `json:"profiles,omitempty"`
}

// Meta describes the run, so that two result files can be compared.
type Meta struct {
	Started      string            `json:"started"`
	Finished     string            `json:"finished"`
	Host         string            `json:"host"`
	CPUs         int               `json:"cpus"`
	CPUModel     string            `json:"cpu_model"`
	Kernel       string            `json:"kernel"`
	LoadStart    string            `json:"loadavg_start"`
	LoadEnd      string            `json:"loadavg_end"`
	Duration     string            `json:"duration_per_run"`
	Rounds       int               `json:"rounds"`
	LoadCPU      string            `json:"load_generator_cpu"`
	ProxyCPU     string            `json:"proxy_cpu"`
	Versions     map[string]string `json:"versions"`
	GoproxyBuild string            `json:"goproxy_commit"`
}

// ScenarioResult holds every metric of one scenario.
type ScenarioResult struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Metrics     []*Metric `json:"metrics"`
	Notes       []string  `json:"notes,omitempty"`
	Errors      []string  `json:"errors,omitempty"`
}

// Metric is one measured quantity for each target over the rounds.
type Metric struct {
	Name   string             `json:"name"`
	Unit   string             `json:"unit"`
	Better string             `json:"better"` // "higher" or "lower"
	Values map[string]*Series `json:"values"`
	// Ratio is goproxy's median over haproxy's median, from this run.
	Ratio float64 `json:"ratio_goproxy_haproxy,omitempty"`
	// RoundRatios pairs each goproxy run with the haproxy run of the same
	// round (right before or after it: see roundOrder).
	RoundRatios []float64 `json:"round_ratios,omitempty"`
	// RatioB is goproxy-b's median over goproxy's (with -goproxy-b).
	RatioB float64 `json:"ratio_goproxy_b_goproxy,omitempty"`
}

// Series is the values of one target, in run order, and their summary.
type Series struct {
	Runs   []float64 `json:"runs"`
	Median float64   `json:"median"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
}

func (s *ScenarioResult) metric(name, unit, better string) *Metric {
	for _, m := range s.Metrics {
		if m.Name == name {
			return m
		}
	}
	m := &Metric{Name: name, Unit: unit, Better: better, Values: map[string]*Series{}}
	s.Metrics = append(s.Metrics, m)
	return m
}

// runs is how many values metric name holds for target (0 if none yet).
func (s *ScenarioResult) runs(name, target string) int {
	for _, m := range s.Metrics {
		if m.Name == name && m.Values[target] != nil {
			return len(m.Values[target].Runs)
		}
	}
	return 0
}

func (m *Metric) add(target string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	s := m.Values[target]
	if s == nil {
		s = &Series{}
		m.Values[target] = s
	}
	s.Runs = append(s.Runs, v)
}

// finish computes medians, ranges and ratios once all rounds are in.
func (s *ScenarioResult) finish() {
	for _, m := range s.Metrics {
		for _, v := range m.Values {
			v.Median, v.Min, v.Max = summarize(v.Runs)
		}
		g, h := m.Values[tGoproxy], m.Values[tHaproxy]
		if gb := m.Values[tGoproxyB]; g != nil && gb != nil && g.Median != 0 {
			m.RatioB = round3(gb.Median / g.Median)
		}
		if g == nil || h == nil || h.Median == 0 {
			continue
		}
		m.Ratio = round3(g.Median / h.Median)
		m.RoundRatios = nil
		for i := range min(len(g.Runs), len(h.Runs)) {
			if h.Runs[i] != 0 {
				m.RoundRatios = append(m.RoundRatios, round3(g.Runs[i]/h.Runs[i]))
			}
		}
	}
}

func summarize(runs []float64) (median, lo, hi float64) {
	if len(runs) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(runs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		median = s[n/2]
	} else {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	return median, s[0], s[n-1]
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// TargetStatus is one of issue 7's targets and where this run puts it.
type TargetStatus struct {
	Target   string  `json:"target"`
	Scenario string  `json:"scenario"`
	Metric   string  `json:"metric"`
	Want     string  `json:"want"`
	Ratio    float64 `json:"ratio,omitempty"`
	Measured string  `json:"measured"`
	Met      bool    `json:"met"`
	Known    bool    `json:"measured_in_this_run"`
}

// MicroResult is one Go benchmark line.
type MicroResult struct {
	Package     string  `json:"package"`
	Name        string  `json:"name"`
	NsPerOp     float64 `json:"ns_per_op"`
	BytesPerOp  float64 `json:"bytes_per_op"`
	AllocsPerOp float64 `json:"allocs_per_op"`
	MBPerSec    float64 `json:"mb_per_s,omitempty"`
}

// ProfileResult summarises goproxy's CPU profile under keep-alive load.
type ProfileResult struct {
	Scenario string   `json:"scenario"`
	File     string   `json:"file"`
	Top      []string `json:"top"`
}
