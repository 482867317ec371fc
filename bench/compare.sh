#!/usr/bin/env bash
# compare.sh measures an engine change: goproxy built from REV (default
# HEAD) against goproxy built from the work tree, alternately in every
# round, with haproxy 2.6 as the yardstick. Same harness and pinning as
# make bench (docs/performance.md); the b/g column is the change's effect.
#
#   bench/compare.sh [REV]
#   BENCH_ONLY=keepalive,close,idle BENCH_DURATION=5s BENCH_ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-HEAD}
load_cpu=${BENCH_LOAD_CPU:-0}
proxy_cpu=${BENCH_PROXY_CPU:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p bin bench/results "$tmp/src"
git archive "$rev" | tar -x -C "$tmp/src"
(cd "$tmp/src" && go build -o "$tmp/goproxy-$rev" ./cmd/goproxy)
go build -o bin/goproxy ./cmd/goproxy
go build -o bin/gohabench ./bench/cmd/gohabench
go build -o bin/gencfg ./compat-tests/cmd/gencfg
echo "goproxy = $rev, goproxy-b = work tree"
exec taskset -c "$load_cpu" bin/gohabench -goproxy "$tmp/goproxy-$rev" -goproxy-b bin/goproxy \
  -gencfg bin/gencfg -load-cpu "$load_cpu" -proxy-cpu "$proxy_cpu" \
  -duration "${BENCH_DURATION:-5s}" -rounds "${BENCH_ROUNDS:-3}" \
  -only "${BENCH_ONLY:-keepalive,close,idle}" -targets "${BENCH_TARGETS:-goproxy,goproxy-b,haproxy}" \
  -out bench/results/compare.json
