#!/usr/bin/env bash
# run.sh is "make bench" (issue 7): goproxy beside haproxy 2.6, nginx as a
# second anchor and direct-to-backend as the ceiling, on loopback, with
# the proxy on one CPU and everything else on the other. It is a
# measurement, not a test; docs/performance.md explains the method.
#
#   BENCH_DURATION=5s   measured seconds per run (wrk -d)
#   BENCH_REV=HEAD      measure goproxy built from a commit (default: work tree)
#   BENCH_ROUNDS=3      rounds per scenario (goproxy, haproxy alternate)
#   BENCH_ONLY=keepalive,tcp   run some scenarios only
#   BENCH_TARGETS=goproxy,haproxy   leave out the anchors
#   BENCH_MICRO=0       skip the Go micro-benchmarks
#   BENCH_PROFILE=0     skip the CPU profiles of goproxy (bench/cmd/goproxy-prof)
#   BENCH_SYSCALLS=0    skip counting system calls per request (strace -c)
#   BENCH_LOAD_CPU=0 BENCH_PROXY_CPU=1
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in taskset wrk nginx haproxy; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (make refs)"; exit 1; }
done
load_cpu=${BENCH_LOAD_CPU:-0}
proxy_cpu=${BENCH_PROXY_CPU:-1}
mkdir -p bin bench/results
go build -o bin/gohabench ./bench/cmd/gohabench
go build -o bin/gencfg ./compat-tests/cmd/gencfg
rev_args=()
if [ -n "${BENCH_REV:-}" ]; then
  # goproxy (and its profiling twin) from a commit, not the work tree.
  src=$(mktemp -d)
  trap 'rm -rf "$src"' EXIT
  git archive "$BENCH_REV" | tar -x -C "$src"
  (cd "$src" && go build -o "$OLDPWD/bin/goproxy" ./cmd/goproxy && go build -o "$OLDPWD/bin/goproxy-prof" ./bench/cmd/goproxy-prof)
  rev_args=(-goproxy-rev "$(git rev-parse --short "$BENCH_REV")")
else
  go build -o bin/goproxy ./cmd/goproxy
  go build -o bin/goproxy-prof ./bench/cmd/goproxy-prof
fi

args=(-goproxy bin/goproxy -gencfg bin/gencfg "${rev_args[@]}" -load-cpu "$load_cpu" -proxy-cpu "$proxy_cpu"
  -duration "${BENCH_DURATION:-5s}" -rounds "${BENCH_ROUNDS:-3}" -only "${BENCH_ONLY:-}" -targets "${BENCH_TARGETS:-}"
  -out bench/results/latest.json)
if [ "${BENCH_MICRO:-1}" != 0 ]; then
  if [ -n "${BENCH_REV:-}" ]; then
    (cd "$src" && bench/micro.sh "$OLDPWD/bench/results/micro.txt" >/dev/null)
  else
    bench/micro.sh bench/results/micro.txt >/dev/null
  fi
  args+=(-micro bench/results/micro.txt)
fi
if [ "${BENCH_PROFILE:-1}" != 0 ]; then
  args+=(-profile-bin bin/goproxy-prof -profile-dir bench/results)
fi
if [ "${BENCH_SYSCALLS:-1}" != 0 ] && command -v strace >/dev/null; then
  args+=(-syscalls)
fi
# The harness and its in-process load generators run on the load CPU; it
# pins every proxy to the other one itself.
taskset -c "$load_cpu" bin/gohabench "${args[@]}"
