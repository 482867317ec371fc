#!/usr/bin/env bash
# run.sh is "make bench" (issue 7): goproxy beside haproxy 2.6, nginx as a
# second anchor and direct-to-backend as the ceiling, on loopback, with
# the proxy on one CPU and everything else on the other. It is a
# measurement, not a test; docs/performance.md explains the method.
#
#   BENCH_DURATION=5s   measured seconds per run (wrk -d)
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
go build -o bin/goproxy ./cmd/goproxy
go build -o bin/gohabench ./bench/cmd/gohabench
go build -o bin/goproxy-prof ./bench/cmd/goproxy-prof
go build -o bin/gencfg ./compat-tests/cmd/gencfg

args=(-goproxy bin/goproxy -gencfg bin/gencfg -load-cpu "$load_cpu" -proxy-cpu "$proxy_cpu"
  -duration "${BENCH_DURATION:-5s}" -rounds "${BENCH_ROUNDS:-3}" -only "${BENCH_ONLY:-}" -targets "${BENCH_TARGETS:-}"
  -out bench/results/latest.json)
if [ "${BENCH_MICRO:-1}" != 0 ]; then
  bench/micro.sh bench/results/micro.txt >/dev/null
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
exec taskset -c "$load_cpu" bin/gohabench "${args[@]}"
