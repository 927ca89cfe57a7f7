#!/usr/bin/env bash
# Bytes the gateway allocates per request: JFR's jdk.ThreadAllocationStatistics (every thread's allocated bytes)
# at the start and end of a 10 s `wrk -t1 -c64` run after a 20 s warm-up, summed over threads, divided by the
# requests wrk completed. Loopback only; every process started is stopped.
# Usage: bash benchmarks/proxy/alloc-per-request.sh <jar> [eventLoops=2]
# Needs: nginx, wrk, curl, python3, and the JDK's jcmd and jfr.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR=$1; EL=${2:-2}
WORK=$(mktemp -d /tmp/loadstar-alloc.XXXXXX); PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT
for id in b1 b2; do
  port=$([ $id = b1 ] && echo 9101 || echo 9102); d=$WORK/$id; mkdir -p "$d/logs" "$d/www"
  sed -e "s/@PORT@/$port/g" -e "s/@ID@/$id/g" -e "s#@DIR@#$d#g" "$HERE/conf/backend-nginx.conf.in" > "$d/nginx.conf"
  nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" -g 'daemon off;' > /dev/null 2>&1 & PIDS+=($!)
done
sed -e "s/@PORT@/9203/g" -e "s/@B1@/9101/g" -e "s/@B2@/9102/g" -e "s/@WORKERS@/$EL/g" -e "s/@ADMIN@/9903/g" \
    -e "s/@POOL@/64/g" -e "/@HEALTH@/d" "$HERE/conf/loadstar.yaml.in" > "$WORK/gateway.yaml"
sleep 1
java -jar "$JAR" gateway --config "$WORK/gateway.yaml" > "$WORK/gateway.log" 2>&1 & GW=$!; PIDS+=($GW)
for _ in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:9203/ && break; sleep 0.2; done
wrk -t1 -c64 -d20s http://127.0.0.1:9203/ > /dev/null
jcmd "$GW" JFR.start name=alloc settings=profile > /dev/null
sleep 2
OUT=$(wrk -t1 -c64 -d10s http://127.0.0.1:9203/)
sleep 2
jcmd "$GW" JFR.dump name=alloc filename="$WORK/alloc.jfr" > /dev/null
jfr print --events jdk.ThreadAllocationStatistics "$WORK/alloc.jfr" > "$WORK/alloc.txt"
python3 - "$(echo "$OUT" | awk '/requests in/{print $1}')" "$WORK/alloc.txt" "$(basename "$JAR")" <<'PY'
import sys, re, collections
n = int(sys.argv[1]); text = open(sys.argv[2]).read()
unit = {'bytes': 1, 'byte': 1, 'kB': 1e3, 'MB': 1e6, 'GB': 1e9}
per = collections.defaultdict(list)
for _, a, u, th in re.findall(r'startTime = (\S+).*?allocated = ([\d.]+) (\w+).*?thread = "([^"]+)"', text, re.S):
    per[th].append(float(a) * unit.get(u, 1))
total = sum(max(v) - min(v) for v in per.values())
print("%s: %d requests, %.0f bytes allocated, %.0f bytes/request" % (sys.argv[3], n, total, total / n))
PY
