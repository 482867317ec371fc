#!/usr/bin/env bash
# bench-check: how long "haproxy -c" and "goproxy -c" take on a large
# generated configuration (default 2,000 backends x 10 servers), run
# alternately, with the median wall time and peak RSS of each and the ratio.
# A measurement, not a test: nothing here gates CI.
#
#   scripts/bench-check.sh [backends] [servers] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
backends=${1:-2000}
servers=${2:-10}
runs=${3:-5}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go run ./compat-tests/cmd/gencfg -backends "$backends" -servers "$servers" >"$tmp/big.cfg"
go build -o "$tmp/goproxy" ./cmd/goproxy
haproxy=$(command -v haproxy || true)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "config: $backends backends x $servers servers, $(wc -l <"$tmp/big.cfg") lines; $runs runs each, alternating"

# Without /usr/bin/time, a small Go program measures wall time and peak RSS
# (rusage of the child) instead.
if [ ! -x /usr/bin/time ]; then
  mkdir "$tmp/measure"
  cat >"$tmp/measure/main.go" <<'GO'
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	start := time.Now()
	_ = cmd.Run()
	wall := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := (time.Duration(ru.Utime.Nano()) + time.Duration(ru.Stime.Nano())).Milliseconds()
	fmt.Printf("%d %d %d %d\n", wall.Milliseconds(), ru.Maxrss, cmd.ProcessState.ExitCode(), cpu)
}
GO
  (cd "$tmp/measure" && go mod init measure >/dev/null 2>&1 && go build -o "$tmp/measure-bin" .)
fi

# measure NAME BIN: appends "wall_ms rss_kib exit cpu_ms" to $tmp/res-NAME
# (cpu = user + system time, which a loaded machine disturbs less).
measure() {
  local name=$1 bin=$2
  if [ -x /usr/bin/time ]; then
    local start end rc=0
    start=$(date +%s%N)
    /usr/bin/time -f "%M %U %S" -o "$tmp/rss" "$bin" -c -f "$tmp/big.cfg" >/dev/null 2>&1 || rc=$?
    end=$(date +%s%N)
    read -r kib user sys < <(tail -n1 "$tmp/rss")
    echo "$(( (end - start) / 1000000 )) $kib $rc $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }')" >>"$tmp/res-$name"
  else
    "$tmp/measure-bin" "$bin" -c -f "$tmp/big.cfg" 2>/dev/null >>"$tmp/res-$name"
  fi
}

for _ in $(seq "$runs"); do
  [ -n "$haproxy" ] && measure haproxy "$haproxy"
  measure goproxy "$tmp/goproxy"
done

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
report() {
  local name=$1
  wall=$(cut -d' ' -f1 "$tmp/res-$name" | median)
  rss=$(cut -d' ' -f2 "$tmp/res-$name" | median)
  exits=$(cut -d' ' -f3 "$tmp/res-$name" | sort -u | tr '\n' ' ')
  cpu=$(cut -d' ' -f4 "$tmp/res-$name" | median)
  printf '%-8s median wall %6s ms   cpu %6s ms   max RSS %7s KiB (%s MiB)   exit %s\n' \
    "$name" "$wall" "$cpu" "$rss" "$(( rss / 1024 ))" "$exits"
}
report goproxy
gw=$wall grss=$rss gexit=$exits gcpu=$cpu
if [ -n "$haproxy" ]; then
  report haproxy
  awk -v g="$gw" -v h="$wall" -v gr="$grss" -v hr="$rss" -v gc="$gcpu" -v hc="$cpu" \
    'BEGIN { printf "ratio goproxy/haproxy: wall %.2f, cpu %.2f, RSS %.2f\n", (h ? g/h : 0), (hc ? gc/hc : 0), (hr ? gr/hr : 0) }'
  [ "$gexit" = "$exits" ] || echo "note: the verdicts differ (goproxy exit $gexit, haproxy exit $exits)"
else
  echo "haproxy is not installed: no comparison"
fi
