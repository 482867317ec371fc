package main

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// cliResult is one run of a binary.
type cliResult struct {
	exit           int
	stdout, stderr string
}

func runCLI(t *testing.T, bin string, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(bin, args...)
	// Run among the verdict corpus so config paths are short and shared.
	cmd.Dir = filepath.Join("..", "..", "testdata", "check", "haproxy")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	r := cliResult{stdout: o.String(), stderr: e.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.exit = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	return r
}

var (
	versionLine = regexp.MustCompile(`^(HAProxy|goproxy) version \S+ `)
	usageLine   = regexp.MustCompile(`^Usage : (haproxy|goproxy) \[-f <cfgfile\|cfgdir>\]\* `)
	noticeRE    = regexp.MustCompile(`^\[NOTICE\]   \(\d+\) : (haproxy|goproxy) version is \S+\n\[NOTICE\]   \(\d+\) : path to executable is /\S+\n`)
	alertRE     = regexp.MustCompile(`(?m)^\[ALERT\]    \(\d+\) : `)
)

// TestCLIShapeAgainstHaproxy runs goproxy and haproxy 2.6 with the same
// command lines and requires the same exit status and the same shape of
// output (which stream, which kind of lines). The expected exit status is
// in the table so the goproxy side is still checked without haproxy.
func TestCLIShapeAgainstHaproxy(t *testing.T) {
	goproxy := filepath.Join(t.TempDir(), "goproxy")
	if out, err := exec.Command("go", "build", "-o", goproxy, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Log("haproxy not installed: checking goproxy against the table only")
	}

	tests := []struct {
		name  string
		args  []string
		exit  int
		shape func(t *testing.T, r cliResult)
	}{
		{"-v", []string{"-v"}, 0, func(t *testing.T, r cliResult) {
			wantMatch(t, "stdout", r.stdout, versionLine)
			wantContains(t, "stdout", r.stdout, "\nRunning on: ")
			wantEmpty(t, "stderr", r.stderr)
		}},
		{"-vv", []string{"-vv"}, 0, func(t *testing.T, r cliResult) {
			wantMatch(t, "stdout", r.stdout, versionLine)
			wantContains(t, "stdout", r.stdout, "\nBuild options :\n")
			wantEmpty(t, "stderr", r.stderr)
		}},
		{"unknown flag", []string{"-zz", "-f", "02-tutorial-modern.cfg"}, 1, usageShape},
		{"-h", []string{"-h"}, 1, usageShape},
		{"no -f", nil, 1, usageShape},
		{"-c without -f", []string{"-c"}, 1, usageShape},
		{"-f without value", []string{"-f"}, 1, func(t *testing.T, r cliResult) {
			alertShape(t, r, "failed to copy argv.")
		}},
		{"-x without value", []string{"-x"}, 1, func(t *testing.T, r cliResult) {
			alertShape(t, r, "Unix socket path expected with the -x flag")
			wantContains(t, "stderr", r.stderr, "\nUsage : ")
		}},
		{"-sf bad pid", []string{"-sf", "abc", "-f", "x.cfg"}, 1, func(t *testing.T, r cliResult) {
			alertShape(t, r, "-sf option: some bytes unconsumed in PID list {abc}")
		}},
		{"-dM bad keyword", []string{"-dMbogus", "-f", "x.cfg"}, 1, func(t *testing.T, r cliResult) {
			alertShape(t, r, "-dM: unknown pool debugging feature <bogus>")
		}},
		{"-dMhelp", []string{"-dMhelp"}, 0, func(t *testing.T, r cliResult) {
			wantContains(t, "stdout", r.stdout, "no-poison")
			wantEmpty(t, "stderr", r.stderr)
		}},
		{"-C missing dir", []string{"-C", "/nonexistent-goha-dir", "-f", "x.cfg"}, 1, func(t *testing.T, r cliResult) {
			alertShape(t, r, "Could not change to directory /nonexistent-goha-dir : No such file or directory")
		}},
		{"-cc true", []string{"-cc", "version_atleast(2.4) && !defined(GOHA_CC_UNSET) && streq(a,a)"}, 0, silent},
		{"-cc false", []string{"-cc", "0 || strneq(a,a)"}, 1, silent},
		{"-cc empty", []string{"-cc", ""}, 1, silent},
		{"-cc missing", []string{"-cc"}, 1, usageShape},
		{"-cc unparsable", []string{"-cc", "bogus(1)"}, 2, func(t *testing.T, r cliResult) {
			alertShape(t, r, "config : Failed to evaluate condition: unparsable conditional expression 'bogus(1)'")
		}},
		{"-cc bad argument", []string{"-cc", "defined(HOME"}, 2, func(t *testing.T, r cliResult) {
			alertShape(t, r, "config : Failed to evaluate condition: expected ')' in argument 1 of predicate 'defined' used in conditional expression")
		}},
		{"-cc unmatched quote", []string{"-cc", `"a b`}, 2, func(t *testing.T, r cliResult) {
			alertShape(t, r, "config : Syntax Error in condition: Unmatched quote.")
		}},
		{"-c valid", []string{"-c", "-f", "02-tutorial-modern.cfg"}, 0, func(t *testing.T, r cliResult) {
			wantEqual(t, "stdout", r.stdout, "Configuration file is valid\n")
			wantEmpty(t, "stderr", r.stderr)
		}},
		{"-c -q valid", []string{"-c", "-q", "-f", "02-tutorial-modern.cfg"}, 0, func(t *testing.T, r cliResult) {
			wantEmpty(t, "stdout", r.stdout)
			wantEmpty(t, "stderr", r.stderr)
		}},
		{"-c invalid", []string{"-c", "-f", "52-unknown-kw-frontend.cfg"}, 1, func(t *testing.T, r cliResult) {
			wantEmpty(t, "stdout", r.stdout)
			wantMatch(t, "stderr", r.stderr, noticeRE)
			wantContains(t, "stderr", r.stderr, "parsing [52-unknown-kw-frontend.cfg:10] : unknown keyword 'bogus_keyword' in 'frontend' section\n")
			wantSuffix(t, "stderr", r.stderr, " : config : Fatal errors found in configuration.\n")
		}},
		{"-c -q invalid", []string{"-c", "-q", "-f", "52-unknown-kw-frontend.cfg"}, 1, func(t *testing.T, r cliResult) {
			wantEmpty(t, "stdout", r.stdout)
			wantEmpty(t, "stderr", r.stderr)
		}},
		{"-c warnings", []string{"-c", "-f", "32-missing-timeouts.cfg"}, 0, func(t *testing.T, r cliResult) {
			wantEqual(t, "stdout", r.stdout, "Warnings were found.\nConfiguration file is valid\n")
			wantMatch(t, "stderr", r.stderr, noticeRE)
		}},
		{"-c -dW warnings", []string{"-c", "-dW", "-f", "32-missing-timeouts.cfg"}, 1, func(t *testing.T, r cliResult) {
			wantEmpty(t, "stdout", r.stdout)
			wantSuffix(t, "stderr", r.stderr, " : config : Some warnings were found and 'zero-warning' is set. Aborting.\n")
		}},
		{"-c no listener", []string{"-c", "-f", "33-no-listener.cfg"}, 2, func(t *testing.T, r cliResult) {
			wantEqual(t, "stdout", r.stdout, "Configuration file has no error but will not start (no listener) => exit(2).\n")
		}},
		{"-c missing file", []string{"-c", "-f", "does-not-exist.cfg"}, 1, func(t *testing.T, r cliResult) {
			alertShape(t, r, "config : Cannot open configuration file/directory does-not-exist.cfg : No such file or directory")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if haproxy != "" {
				h := runCLI(t, haproxy, tt.args...)
				if h.exit != tt.exit {
					t.Fatalf("the table is wrong: haproxy %v exits %d, table says %d", tt.args, h.exit, tt.exit)
				}
				t.Run("haproxy", func(t *testing.T) { tt.shape(t, h) })
			}
			g := runCLI(t, goproxy, tt.args...)
			if g.exit != tt.exit {
				t.Errorf("goproxy %v: exit %d, want %d (haproxy's)\nstdout:\n%s\nstderr:\n%s", tt.args, g.exit, tt.exit, g.stdout, g.stderr)
			}
			t.Run("goproxy", func(t *testing.T) { tt.shape(t, g) })
		})
	}
}

// silent: no output at all.
func silent(t *testing.T, r cliResult) {
	t.Helper()
	wantEmpty(t, "stdout", r.stdout)
	wantEmpty(t, "stderr", r.stderr)
}

// usageShape: the version on stdout, the usage on stderr.
func usageShape(t *testing.T, r cliResult) {
	t.Helper()
	wantMatch(t, "stdout", r.stdout, versionLine)
	wantMatch(t, "stderr", r.stderr, usageLine)
}

// alertShape: nothing on stdout; the two notices, then the alert.
func alertShape(t *testing.T, r cliResult, alert string) {
	t.Helper()
	wantMatch(t, "stderr", r.stderr, noticeRE)
	loc := alertRE.FindStringIndex(r.stderr)
	if loc == nil || !strings.HasPrefix(r.stderr[loc[1]:], alert+"\n") {
		t.Errorf("stderr has no alert %q:\n%s", alert, r.stderr)
	}
}

func wantMatch(t *testing.T, what, s string, re *regexp.Regexp) {
	t.Helper()
	if !re.MatchString(s) {
		t.Errorf("%s does not match %s:\n%s", what, re, s)
	}
}

func wantContains(t *testing.T, what, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("%s lacks %q:\n%s", what, sub, s)
	}
}

func wantSuffix(t *testing.T, what, s, suffix string) {
	t.Helper()
	if !strings.HasSuffix(s, suffix) {
		t.Errorf("%s does not end with %q:\n%s", what, suffix, s)
	}
}

func wantEqual(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func wantEmpty(t *testing.T, what, s string) {
	t.Helper()
	if s != "" {
		t.Errorf("%s should be empty:\n%s", what, s)
	}
}
