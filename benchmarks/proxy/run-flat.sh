#!/usr/bin/env bash
# Flat over time: the Loadstar gateway under full wrk load for MINUTES minutes (shared layout, the two nginx
# backends of run-shapes.sh), one wrk run per minute. At start (after a JIT warm-up) and at end, with the load
# stopped for a moment, it records the gateway's RSS (/proc), its heap and old generation after a forced full GC
# (jcmd GC.run, then jstat -gc), its open file descriptors, its TCP connections and its threads; per minute, req/s, p99, the gateway's CPU%
# and CPU time per request. Exits 1 if any of them grew beyond its tolerance (below), 0 otherwise.
# Loopback only (127.0.0.1). Bounded: every wrk run has a fixed duration; every process started is stopped.
#
# Usage (from the project root, after `mvn -B -q -ntp -DskipTests package`):
#   bash benchmarks/proxy/run-flat.sh                  (defaults: about 6 minutes)
# Env knobs:
#   MINUTES=5  CHUNK=60s (one wrk run, one CPU sample)  SHAPE=get (a run-shapes.sh shape)  CONNS=64  CONNS_MANY=1000
#   WRK_THREADS=1  LOADSTAR_WARMUP=30s  LOADSTAR_JAVA_OPTS=""  LOADSTAR_POOL=64  LOADSTAR_JAR=samples/target/loadstar.jar
#   Tolerances (end against start):
#   OLD_TOL_PCT=10 OLD_TOL_MB=8     old generation after a full GC: end <= start * (1 + OLD_TOL_PCT%) + OLD_TOL_MB
#   HEAP_TOL_PCT=10 HEAP_TOL_MB=8   whole heap after a full GC: the same rule
#   RSS_TOL_PCT=15 RSS_TOL_MB=48    resident set size: the same rule (the JVM commits heap and code cache lazily)
#   FD_TOL=8                        open file descriptors other than TCP connections, and client connections still
#                                   open with no load: end <= start + FD_TOL. Connections to the backends are pooled
#                                   and vary with load: end <= event loops x maxConnectionsPerTarget x 2 targets
#   THREAD_TOL=4                    threads outside the JIT compiler, GC and Vert.x worker pools (which the JVM and
#                                   Vert.x grow on demand within their own bounds): end <= start + THREAD_TOL
#   CPU_TOL_PCT=25                  CPU time per request in the last minute <= the first minute's * (1 + CPU_TOL_PCT%)
#   PORT_BASE=9110  RESULTS=<path> (default ./proxy-flat-results.md)  RAW=<dir> (default ./proxy-flat-raw; wiped)
# Needs: nginx, wrk, curl, and the JDK's jcmd and jstat.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MINUTES="${MINUTES:-5}"
CHUNK="${CHUNK:-60s}"
SHAPE="${SHAPE:-get}"
CONNS="${CONNS:-64}"
CONNS_MANY="${CONNS_MANY:-1000}"
WRK_THREADS="${WRK_THREADS:-1}"
OLD_TOL_PCT="${OLD_TOL_PCT:-10}" OLD_TOL_MB="${OLD_TOL_MB:-8}"
HEAP_TOL_PCT="${HEAP_TOL_PCT:-10}" HEAP_TOL_MB="${HEAP_TOL_MB:-8}"
RSS_TOL_PCT="${RSS_TOL_PCT:-15}" RSS_TOL_MB="${RSS_TOL_MB:-48}"
FD_TOL="${FD_TOL:-8}" THREAD_TOL="${THREAD_TOL:-4}" CPU_TOL_PCT="${CPU_TOL_PCT:-25}"
RESULTS="${RESULTS:-$(pwd)/proxy-flat-results.md}"
RAW="${RAW:-$(pwd)/proxy-flat-raw}"
HOST=127.0.0.1
PORT_BASE="${PORT_BASE:-9110}"
B1_PORT=$((PORT_BASE+1)) B2_PORT=$((PORT_BASE+2))
NGINX_PORT=$((PORT_BASE+101)) HAPROXY_PORT=$((PORT_BASE+102)) LOADSTAR_PORT=$((PORT_BASE+103))
LOADSTAR_ADMIN=$((PORT_BASE+803))
LOADSTAR_JAR="${LOADSTAR_JAR:-$(pwd)/samples/target/loadstar.jar}"
LOADSTAR_WARMUP="${LOADSTAR_WARMUP:-30s}"
LOADSTAR_JAVA_OPTS="${LOADSTAR_JAVA_OPTS:-}"
LOADSTAR_POOL="${LOADSTAR_POOL:-64}"
LOADSTAR_HEALTH=""
LAYOUT=shared

# shellcheck source=lib.sh
. "$HERE/lib.sh"

[ -f "$LOADSTAR_JAR" ] || { echo "set LOADSTAR_JAR to samples/target/loadstar.jar"; exit 1; }
for t in nginx wrk curl jcmd jstat; do
  command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y nginx wrk curl; jcmd and jstat come with the JDK)"; exit 1; }
done
case $SHAPE in get|post1k|post64k|resp16k|conns1000) ;; *) echo "unknown SHAPE $SHAPE"; exit 1 ;; esac
NCPU=$(nproc)
check_ports $B1_PORT $B2_PORT $LOADSTAR_PORT $LOADSTAR_ADMIN
raise_nofile 20000
WORK="$(mktemp -d -t proxy-flat.XXXXXX)"
rm -rf "$RAW"; mkdir -p "$RAW"
trap cleanup EXIT INT TERM

# tcp_of <pid>: "clients backends": the process's TCP connections accepted on the gateway's port and those to the
# backends (from /proc/net/tcp, joined on the socket inodes of /proc/PID/fd)
tcp_of() {
  local pid=$1
  ls -l /proc/"$pid"/fd 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p' > "$WORK/inodes"
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v gw="$LOADSTAR_PORT" -v b1="$B1_PORT" -v b2="$B2_PORT" '
    function hex(s,   i, n) { n = 0; for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1; return n }
    NR==FNR { mine[$1]=1; next }
    ($10 in mine) && $4 != "0A" {
      n = split($2, l, ":"); lp = hex(l[n]); n = split($3, r, ":"); rp = hex(r[n])
      if (lp == gw) c++; else if (rp == b1 || rp == b2) b++ }
    END { printf "%d %d", c, b }' "$WORK/inodes" -
}

# snapshot <label>: "label rss_kb heap_kb old_kb fds threads clients backends" (heap and old generation after a
# full GC; fds without the TCP connections to clients and backends, which are counted on their own)
snapshot() {
  local label=$1 pid=$PROXY_PID rss fds threads gc tcp ub
  sleep 2   # let the gateway close the connections wrk left
  tcp=$(tcp_of "$pid")
  fds=$(( $(ls /proc/"$pid"/fd | wc -l) - ${tcp% *} - ${tcp#* } ))
  threads=$(awk '/^Threads:/{print $2}' /proc/"$pid"/status)
  # thread names (digits as N) and counts; the JIT compiler, GC and Vert.x worker pools are bounded by the JVM and
  # Vert.x (the worker pool at 20 threads) and grow on demand, so only the other threads are judged
  cat /proc/"$pid"/task/*/comm 2>/dev/null | sed 's/[0-9][0-9]*/N/g' | sort | uniq -c > "$RAW/threads-$label.txt"
  ub=$(awk '!/ (C1 Compiler|C2 Compiler|G1 |GC Thread|vert\.x-worker-t)/{s+=$1} END{print s+0}' "$RAW/threads-$label.txt")
  jcmd "$pid" GC.run > "$RAW/gc-$label.txt" 2>&1
  jstat -gc "$pid" > "$RAW/jstat-$label.txt" 2>&1
  # jstat -gc: a header line of column names, a line of values (KB); heap = survivors + eden + old
  gc=$(awk 'NR==1{for(i=1;i<=NF;i++) c[$i]=i} NR==2{printf "%.0f %.0f", $c["S0U"]+$c["S1U"]+$c["EU"]+$c["OU"], $c["OU"]}' \
      "$RAW/jstat-$label.txt")
  rss=$(awk '/^VmRSS:/{print $2}' /proc/"$pid"/status)
  echo "$label $rss $gc $fds $threads $tcp $ub"
}

echo "proxy-flat: $MINUTES x $CHUNK of $SHAPE at $(shape_conns "$SHAPE") connections, gateway JIT warm-up $LOADSTAR_WARMUP, work=$WORK"
BEGIN_TS=$(date +%s)
start_backend b1 $B1_PORT B1
start_backend b2 $B2_PORT B2
start_proxy loadstar
echo " JIT warm-up $LOADSTAR_WARMUP"
wrk_shape "$SHAPE" "$PROXY_PORT" "$LOADSTAR_WARMUP" > "$RAW/warmup.txt" 2>&1
START=$(snapshot start); echo " start: $START (label rss_kb heap_kb old_kb other-fds threads client-conns backend-conns)"
MINUTE_ROWS="$WORK/minutes.txt"; : > "$MINUTE_ROWS"
for m in $(seq 1 "$MINUTES"); do
  out="$RAW/minute-$m.txt"
  b=$(tree_ticks "$PROXY_PID"); t0=$(date +%s.%N)
  wrk_shape "$SHAPE" "$PROXY_PORT" "$CHUNK" > "$out" 2>&1
  t1=$(date +%s.%N); a=$(tree_ticks "$PROXY_PID")
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
  reqs=$(wrk_requests "$out"); errs=$(( $(wrk_non2xx "$out") + $(wrk_sockerr "$out") ))
  cpu=$(ticks_pct "$b" "$a" "$wall")
  us=$(awk -v a="$b" -v b="$a" -v n="$reqs" -v hz="$CLK_TCK" 'BEGIN{printf "%.1f", (n > 0) ? 1e6*(b-a)/hz/n : 0}')
  row="$m $(wrk_rps "$out") $(wrk_pct "$out" 99) $cpu $us $errs"
  echo "$row" >> "$MINUTE_ROWS"
  echo " minute $m: req/s=$(wrk_rps "$out") p99=$(wrk_pct "$out" 99)ms gateway cpu=${cpu}% cpu/request=${us}us errors=$errs"
done
END=$(snapshot end); echo " end:   $END"
stop_proxy
cleanup
END_TS=$(date +%s)

# ---------------------------------------------------------------- verdicts
read -r _ rss0 heap0 old0 fd0 th0 cl0 be0 ub0 <<<"$START"
read -r _ rss1 heap1 old1 fd1 th1 cl1 be1 ub1 <<<"$END"
POOL_BOUND=$((NCPU * LOADSTAR_POOL * 2))   # event loops x maxConnectionsPerTarget x targets
cpu_first=$(awk 'NR==1{print $5}' "$MINUTE_ROWS"); cpu_last=$(awk 'END{print $5}' "$MINUTE_ROWS")
errs_total=$(awk '{s+=$6} END{print s+0}' "$MINUTE_ROWS")
FAILED=0
verdict() {  # name unit start end limit -> a table row; counts a failure when end > limit
  local ok=ok
  if awk -v e="$4" -v l="$5" 'BEGIN{exit !(e > l)}'; then ok="**grew**"; FAILED=$((FAILED+1)); fi
  printf '| %s | %s | %s | %s | %+.1f%% | <= %s | %s |\n' "$1" "$4" "$2" "$3" \
    "$(awk -v a="$3" -v b="$4" 'BEGIN{print (a > 0) ? 100*(b-a)/a : 0}')" "$5" "$ok"
}
limit() { awk -v s="$1" -v p="$2" -v mb="$3" 'BEGIN{printf "%.0f", s*(1+p/100) + mb*1024}'; }  # KB
TABLE="$WORK/table.md"
{
  echo "| measure | end | unit | start | change | tolerance (end) | verdict |"
  echo "|---|---:|---|---:|---:|---:|---|"
  verdict "old generation after full GC" KB "$old0" "$old1" "$(limit "$old0" "$OLD_TOL_PCT" "$OLD_TOL_MB")"
  verdict "heap after full GC" KB "$heap0" "$heap1" "$(limit "$heap0" "$HEAP_TOL_PCT" "$HEAP_TOL_MB")"
  verdict "RSS" KB "$rss0" "$rss1" "$(limit "$rss0" "$RSS_TOL_PCT" "$RSS_TOL_MB")"
  verdict "open file descriptors (other than client and backend connections)" "" "$fd0" "$fd1" "$((fd0 + FD_TOL))"
  verdict "client connections left open (no load)" "" "$cl0" "$cl1" "$((cl0 + FD_TOL))"
  verdict "connections to the backends (pooled)" "" "$be0" "$be1" "$POOL_BOUND"
  verdict "threads, all (information)" "" "$th0" "$th1" 999999
  verdict "threads outside the JIT, GC and Vert.x worker pools" "" "$ub0" "$ub1" "$((ub0 + THREAD_TOL))"
  verdict "CPU per request, first vs last minute" "us" "$cpu_first" "$cpu_last" \
    "$(awk -v s="$cpu_first" -v p="$CPU_TOL_PCT" 'BEGIN{printf "%.1f", s*(1+p/100)}')"
  echo
  echo "| minute | req/s | p99 ms | gateway CPU% | gateway CPU us / request | errors |"
  echo "|---:|---:|---:|---:|---:|---:|"
  awk '{printf "| %s | %.0f | %.2f | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6}' "$MINUTE_ROWS"
} > "$TABLE"
echo
echo "Gateway flat over $MINUTES x $CHUNK ($SHAPE, wrk -t$WRK_THREADS -c$(shape_conns "$SHAPE"), shared layout):"
cat "$TABLE"
{
  echo "# Gateway flat over $MINUTES x $CHUNK of full load (loopback)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(machine_line)"
  echo "- versions: $(versions_line)"
  echo "- load: \`wrk -t$WRK_THREADS -c$(shape_conns "$SHAPE") -d$CHUNK --latency\`, shape $SHAPE, $MINUTES runs back to back after a $LOADSTAR_WARMUP warm-up; the gateway (\`gateway --config\`, conf/loadstar.yaml.in, eventLoops $NCPU, maxConnectionsPerTarget $LOADSTAR_POOL${LOADSTAR_JAVA_OPTS:+, JVM options $LOADSTAR_JAVA_OPTS}) in front of 2 nginx backends, no pinning"
  echo "- threads by name (digits as N) whose count changed, start → end: $(awk 'NR==FNR{a[substr($0, index($0,$2))]=$1; next} {n=substr($0, index($0,$2)); b[n]=$1} END{for (k in a) if (!(k in b)) b[k]=0; for (k in b) if (a[k]+0 != b[k]) printf "`%s` %d → %d; ", k, a[k], b[k]}' "$RAW/threads-start.txt" "$RAW/threads-end.txt")"
  echo "- start / end: 2 s after the warm-up / the last run (no load): RSS and threads from /proc/PID/status, descriptors from /proc/PID/fd (TCP connections to clients and to the backends counted apart, from /proc/net/tcp), heap and old generation from \`jstat -gc\` right after \`jcmd PID GC.run\` (a full GC)"
  echo "- failed requests over all minutes: $errs_total"
  echo "- elapsed: $((END_TS-BEGIN_TS)) s"
  echo
  cat "$TABLE"
} > "$RESULTS"
echo "wrote $RESULTS (raw in $RAW)"
rm -rf "$WORK"
if [ "$FAILED" -gt 0 ] || [ "$errs_total" -gt 0 ]; then
  echo "FAIL: $FAILED measure(s) grew beyond tolerance, $errs_total failed requests"; exit 1
fi
echo "flat: every measure within tolerance, 0 failed requests"
