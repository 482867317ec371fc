#!/usr/bin/env bash
# micro.sh: the Go micro-benchmarks of issue 7 with -benchmem, in one file
# gohabench reads (-micro). Request line + headers parse (proxy/http1),
# the tutorial's acl (proxy/acl), a server pick per algorithm
# (proxy/balance), log line rendering (proxy/log), VRRP packet
# encode/decode (vrrp/packet).
#
#   bench/micro.sh [output]     BENCH_MICROTIME=200ms by default
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results/micro.txt}
benchtime=${BENCH_MICROTIME:-200ms}
mkdir -p "$(dirname "$out")"
# The proxy CPU is idle while this runs; the benchmarks are single-goroutine.
go test -run '^$' -benchmem -benchtime "$benchtime" -count 1 \
  -bench 'BenchmarkParse|BenchmarkTutorialACL|BenchmarkHeaderACL|BenchmarkPick|BenchmarkAppend|BenchmarkEncode|BenchmarkDecode' \
  ./proxy/http1 ./proxy/acl ./proxy/balance ./proxy/log ./vrrp/packet | tee "$out"
