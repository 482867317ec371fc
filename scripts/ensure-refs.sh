#!/usr/bin/env bash
# Makes sure the reference binaries the compatibility tests compare against
# are installed: haproxy 2.6, keepalived 2.2.7, nginx, and the tools the
# tests drive them with. Installs them with apt when it can (root + apt-get);
# otherwise it says exactly what is missing and the tests that need them skip
# with that reason.
set -u
pkgs=(haproxy keepalived nginx socat curl tcpdump iproute2 wrk iputils-ping util-linux)
bins=(haproxy keepalived nginx socat curl tcpdump ip wrk ping nsenter)
missing=()
for i in "${!bins[@]}"; do
  command -v "${bins[$i]}" >/dev/null 2>&1 || missing+=("${pkgs[$i]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-refs: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    # Debian starts services from maintainer scripts where it can; the tests
    # run their own instances, so stop any the package may have started.
    exit 0
  fi
  echo "ensure-refs: apt-get install ${missing[*]} failed" >&2
fi
echo "ensure-refs: missing reference packages: ${missing[*]}" >&2
echo "ensure-refs: install them with: apt-get install -y ${missing[*]}" >&2
echo "ensure-refs: tests comparing against them will be skipped" >&2
exit 0
