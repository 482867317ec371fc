# goha — see README.md.
GO      ?= go
BIN     := bin
PKGS    := ./...
# Each fuzz target runs for FUZZTIME (make fuzz FUZZTIME=1m).
FUZZTIME ?= 20s

.PHONY: all build test lint refs fuzz clean bench demo demo-down compat compat-tool

all: build

build:
	$(GO) build -o $(BIN)/goproxy ./cmd/goproxy
	$(GO) build -o $(BIN)/govrrpd ./cmd/govrrpd

# refs installs the reference binaries (haproxy 2.6, keepalived 2.2.7, nginx)
# the compatibility tests compare against, or says what is missing.
refs:
	@./scripts/ensure-refs.sh

# test runs every package's tests, then the tutorial scenarios (compat).
test: refs lint build
	$(GO) test -count=1 -timeout 30m $(PKGS)
	@$(MAKE) --no-print-directory compat

lint:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# bench measures goproxy beside haproxy 2.6 and nginx on loopback (issue 7;
# docs/performance.md): about 10 minutes, results in bench/results/latest.json.
# A measurement, not a test. BENCH_DURATION=2s shortens it (bench/run.sh).
bench:
	./bench/run.sh

clean:
	rm -rf $(BIN)

# demo brings up the tutorial's two load balancers (goproxy + govrrpd) and
# two real servers in network namespaces, shows a failover, and stays up
# until Ctrl-C (needs root). demo-down removes a demo left running.
demo: build
	$(GO) build -o $(BIN)/goha-demo ./cmd/goha-demo
	$(BIN)/goha-demo -bin $(BIN) -seed testdata/seed

demo-down:
	$(GO) build -o $(BIN)/goha-demo ./cmd/goha-demo
	$(BIN)/goha-demo down

# compat plays the tutorial's scenarios (compat-tests/scenario) on the
# tutorial's topology with haproxy 2.6 + keepalived 2.2.7 and with goproxy +
# govrrpd, diffs the transcripts, prints a report with the timing figures
# side by side, and fails on any difference compat-tests/DIFFERENCES.md does
# not cover. Transcripts and report land in bin/compat. UPDATE=1 rewrites
# testdata/golden/ from the reference run (never edit those by hand);
# SCENARIO=regexp plays a subset; PARALLEL=N plays N at once (default 4,
# each on its own topology; PARALLEL=1 for one after the other, about 3
# minutes). Needs root; about 1 minute. make test runs it after the
# package tests. (The user-facing compat tool's target is compat-tool.)
compat: build
	GOHA_COMPAT=1 $(GO) test -count=1 -timeout 15m -v -run '^TestCompat$$' ./compat-tests/scenario \
	  -args -bin $(CURDIR)/$(BIN) -out $(CURDIR)/$(BIN)/compat $(if $(UPDATE),-update) $(if $(SCENARIO),-scenario '$(SCENARIO)') \
	  $(if $(PARALLEL),-parallel $(PARALLEL))

# compat-tool compares your own haproxy.cfg through haproxy 2.6 and goproxy
# on loopback (CFG=FILE, REQUESTS=FILE for your own requests, default: the
# tutorial's haproxy.cfg and the built-in requests); it exits 1 on any
# difference not covered by compat-tests/DIFFERENCES.md.
compat-tool: build
	$(GO) build -o $(BIN)/gohacompat ./compat-tests/cmd/gohacompat
	$(BIN)/gohacompat -f $(or $(CFG),testdata/seed/haproxy.cfg) --goproxy $(BIN)/goproxy $(if $(REQUESTS),--requests $(REQUESTS))
