#!/usr/bin/env bash
# The load generator and the ceiling the benchmarks compare with, from Debian's packages.
set -euo pipefail
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    apt-get update -qq
    apt-get install -y -qq wrk nginx-light
fi
