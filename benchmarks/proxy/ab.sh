#!/usr/bin/env bash
# Two gateway jars alternately under the same load (shared layout): `wrk -t1 -c64` for 15 s unmeasured, then 10 s
# measured, per jar and round; prints req/s and p99 per run. For before/after comparisons of the gateway's own code
# (the peer comparison is ../shared/bench/proxy/run.sh). Loopback only; every process started is stopped.
# Usage: bash benchmarks/proxy/ab.sh <jarA> <jarB> [rounds=2] [eventLoops=2]
# Needs: nginx, wrk, curl.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
A=$1; B=$2; R=${3:-2}; EL=${4:-2}
WORK=$(mktemp -d /tmp/loadstar-ab.XXXXXX); PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT
for id in b1 b2; do
  port=$([ $id = b1 ] && echo 9101 || echo 9102); d=$WORK/$id; mkdir -p "$d/logs" "$d/www"
  sed -e "s/@PORT@/$port/g" -e "s/@ID@/$id/g" -e "s#@DIR@#$d#g" "$HERE/conf/backend-nginx.conf.in" > "$d/nginx.conf"
  nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" -g 'daemon off;' > /dev/null 2>&1 & PIDS+=($!)
done
sed -e "s/@PORT@/9203/g" -e "s/@B1@/9101/g" -e "s/@B2@/9102/g" -e "s/@WORKERS@/$EL/g" -e "s/@ADMIN@/9903/g" \
    -e "s/@POOL@/64/g" -e "/@HEALTH@/d" "$HERE/conf/loadstar.yaml.in" > "$WORK/gateway.yaml"
sleep 1
for r in $(seq 1 "$R"); do for J in "$A" "$B"; do
  java -jar "$J" gateway --config "$WORK/gateway.yaml" > "$WORK/gateway.log" 2>&1 & GW=$!
  for _ in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:9203/ && break; sleep 0.2; done
  wrk -t1 -c64 -d15s http://127.0.0.1:9203/ > /dev/null
  OUT=$(wrk -t1 -c64 -d10s --latency http://127.0.0.1:9203/)
  echo "$(basename "$J") round $r: $(echo "$OUT" | awk '/Requests\/sec/{print $2}') req/s p99 $(echo "$OUT" | awk '/ 99%/{print $2}') $(echo "$OUT" | grep -E 'Non-2xx|Socket errors' | tr '\n' ' ')"
  kill "$GW"; wait "$GW" 2>/dev/null; sleep 1
done; done
