#!/usr/bin/env bash
# Traffic shapes: direct backend vs nginx vs HAProxy vs the Loadstar gateway as L7 round-robin proxies, one table
# per shape, measured side by side in one run (same two nginx backends, same wrk, same CPU layouts, medians of reps,
# CPU% per process from /proc) -- the method of ../shared/bench/proxy/run.sh, with more shapes than its GET.
# With KILL_AT set it is the kill mode instead: one backend is SIGKILLed that many seconds into every measured run
# through a proxy and restarted before the next run; failed requests are counted per proxy.
# Loopback only (127.0.0.1). Bounded: every wrk run has a fixed duration; every process started is stopped.
#
# Usage (from the project root, after `mvn -B -q -ntp -DskipTests package`):
#   bash benchmarks/proxy/run-shapes.sh                       (defaults: about 25 minutes on 2 cores)
#   KILL_AT=3 bash benchmarks/proxy/run-shapes.sh             (kill mode, defaults: about 8 minutes)
# Env knobs:
#   SHAPES="get post1k post64k resp16k conns1000"   (kill mode default: "get")
#       get        GET /, 12-byte answer (run.sh's shape)
#       post1k     POST /post with a 1 KiB body; the backend reads the whole body before it answers
#       post64k    POST /post with a 64 KiB body
#       resp16k    GET /static/16k.bin, a 16 KiB static file
#       conns1000  GET / over CONNS_MANY (1000) connections
#   LAYOUTS="pinned shared"  pinned: wrk on CPU0, backends+proxy on CPU1 (taskset)
#                            shared: no pinning, proxy gets nproc workers/threads      (kill mode default: shared)
#   REPS=3  DURATION=10s  CONNS=64  CONNS_MANY=1000  WRK_THREADS=1  WARMUP=3s
#   PROXIES="nginx haproxy loadstar"   which proxies run (direct always runs); also haproxy-retry: HAProxy with
#                            health checks and layer-7 retries on another server (kill mode default: all four)
#   LOADSTAR_JAR=samples/target/loadstar.jar  LOADSTAR_WARMUP=20s (JIT, GET, once per layout)
#   LOADSTAR_SHAPE_WARMUP=10s (the gateway's warm-up before each shape, instead of WARMUP)  LOADSTAR_JAVA_OPTS=""
#   LOADSTAR_POOL=64         the gateway's maxConnectionsPerTarget (its default)
#   KILL_AT=<seconds>        kill mode: SIGKILL backend b2 this many seconds into each measured proxy run
#   RECOVER_TIMEOUT=60       kill mode: seconds to wait, after b2 restarts, until the proxy sends to it again
#   KILL_HC_INTERVAL=5 KILL_EJECTION=10   kill mode: the gateway's healthCheck.intervalSeconds (healthy/unhealthy
#                            thresholds 2) and outlierDetection.baseEjectionTimeSeconds, so b2 rejoins within seconds
#   PORT_BASE=9110           ports: backends PORT_BASE+1/+2, nginx +101, HAProxy +102, Loadstar +103, admin +803
#   RESULTS=<path>           the markdown report (default ./proxy-shapes-results.md, kill mode ./proxy-kill-results.md)
#   RAW=<dir>                raw wrk output (default ./proxy-shapes-raw; wiped first)
# Exit status 1: shapes mode, any error (non-2xx or socket error) through a proxy; kill mode, any failed request
# through the gateway in a GET shape (other proxies' failures are reported, not judged).
# Needs: nginx, haproxy, wrk, curl, taskset (apt-get install -y nginx haproxy wrk curl util-linux).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KILL_AT="${KILL_AT:-}"
if [ -n "$KILL_AT" ]; then MODE=kill; else MODE=shapes; fi
if [ "$MODE" = kill ]; then
  SHAPES="${SHAPES:-get}"; LAYOUTS="${LAYOUTS:-shared}"; PROXIES="${PROXIES:-nginx haproxy haproxy-retry loadstar}"
  RESULTS="${RESULTS:-$(pwd)/proxy-kill-results.md}"; RAW="${RAW:-$(pwd)/proxy-kill-raw}"
else
  SHAPES="${SHAPES:-get post1k post64k resp16k conns1000}"; LAYOUTS="${LAYOUTS:-pinned shared}"
  PROXIES="${PROXIES:-nginx haproxy loadstar}"
  RESULTS="${RESULTS:-$(pwd)/proxy-shapes-results.md}"; RAW="${RAW:-$(pwd)/proxy-shapes-raw}"
fi
REPS="${REPS:-3}"
DURATION="${DURATION:-10s}"
CONNS="${CONNS:-64}"
CONNS_MANY="${CONNS_MANY:-1000}"
WRK_THREADS="${WRK_THREADS:-1}"
WARMUP="${WARMUP:-3s}"
RECOVER_TIMEOUT="${RECOVER_TIMEOUT:-60}"
KILL_HC_INTERVAL="${KILL_HC_INTERVAL:-5}"
KILL_EJECTION="${KILL_EJECTION:-10}"
HOST=127.0.0.1
PORT_BASE="${PORT_BASE:-9110}"
B1_PORT=$((PORT_BASE+1)) B2_PORT=$((PORT_BASE+2))
NGINX_PORT=$((PORT_BASE+101)) HAPROXY_PORT=$((PORT_BASE+102)) LOADSTAR_PORT=$((PORT_BASE+103))
LOADSTAR_ADMIN=$((PORT_BASE+803))
LOADSTAR_JAR="${LOADSTAR_JAR:-$(pwd)/samples/target/loadstar.jar}"
LOADSTAR_WARMUP="${LOADSTAR_WARMUP:-20s}"
LOADSTAR_SHAPE_WARMUP="${LOADSTAR_SHAPE_WARMUP:-10s}"
LOADSTAR_JAVA_OPTS="${LOADSTAR_JAVA_OPTS:-}"
LOADSTAR_POOL="${LOADSTAR_POOL:-64}"
LOADSTAR_HEALTH=""
if [ "$MODE" = kill ]; then
  LOADSTAR_HEALTH="    healthCheck: {intervalSeconds: $KILL_HC_INTERVAL, timeoutSeconds: 2, healthyThresholdCount: 2, unhealthyThresholdCount: 2}
    outlierDetection: {baseEjectionTimeSeconds: $KILL_EJECTION}"
fi

# shellcheck source=lib.sh
. "$HERE/lib.sh"

for s in $SHAPES; do
  case $s in get|post1k|post64k|resp16k|conns1000) ;; *) echo "unknown shape $s (expected: get post1k post64k resp16k conns1000)"; exit 1 ;; esac
done
[[ "$PROXIES" == *loadstar* ]] && { [ -f "$LOADSTAR_JAR" ] || { echo "set LOADSTAR_JAR to samples/target/loadstar.jar"; exit 1; }; }
for t in nginx haproxy wrk curl taskset; do
  command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y nginx haproxy wrk curl util-linux)"; exit 1; }
done
NCPU=$(nproc)
if [ "$NCPU" -lt 2 ] && [[ "$LAYOUTS" == *pinned* ]]; then
  echo "only $NCPU CPU: dropping the pinned layout"; LAYOUTS="shared"
fi
check_ports $B1_PORT $B2_PORT $NGINX_PORT $HAPROXY_PORT $LOADSTAR_PORT $LOADSTAR_ADMIN
raise_nofile 20000

WORK="$(mktemp -d -t proxy-shapes.XXXXXX)"
rm -rf "$RAW"; mkdir -p "$RAW"
trap cleanup EXIT INT TERM

# ---------------------------------------------------------------- shapes (paths and wrk arguments in lib.sh)
shape_desc() {
  case $1 in
    get)       echo "GET /, 12-byte answer, $CONNS connections" ;;
    post1k)    echo "POST /post with a 1 KiB body (application/octet-stream), $CONNS connections; each backend reads the whole body, then answers \"instance-bN read <bytes>\"" ;;
    post64k)   echo "POST /post with a 64 KiB body (application/octet-stream), $CONNS connections; each backend reads the whole body, then answers \"instance-bN read <bytes>\"" ;;
    resp16k)   echo "GET /static/16k.bin, a 16 KiB static file, $CONNS connections" ;;
    conns1000) echo "GET /, 12-byte answer, $CONNS_MANY connections" ;;
  esac
}

# run_wrk <label> <shape> <port> <outfile> [kill] -> appends
# "label rps p50 p99 errors wrkcpu proxycpu backcpu cpu0 cpu1 steal non2xx sockerr requests" to $RUNS
run_wrk() {
  local label=$1 shape=$2 port=$3 out=$4 kill=${5:-}
  local b_back b_proxy s_all s0 s1 t0 t1 killer=
  b_back=$(tree_ticks "$PID_B1" "$PID_B2"); b_proxy=$(tree_ticks "${PROXY_PID:-}")
  s_all=$(stat_line cpu); s0=$(stat_line cpu0); s1=$(stat_line cpu1 || echo "$s0")
  if [ -n "$kill" ]; then
    ( sleep "$KILL_AT"; kill_backend B2; echo "  killed b2 (SIGKILL) at ${KILL_AT}s" ) &
    killer=$!
  fi
  t0=$(date +%s.%N)
  TIMEFORMAT='%U %S'
  { time wrk_shape "$shape" "$port" "$DURATION" >"$out" 2>&1 ; } 2>"$out.time"
  t1=$(date +%s.%N)
  [ -n "$killer" ] && wait "$killer"
  local a_back a_proxy e_all e0 e1
  a_back=$(tree_ticks "$PID_B1" "$PID_B2"); a_proxy=$(tree_ticks "${PROXY_PID:-}")
  e_all=$(stat_line cpu); e0=$(stat_line cpu0); e1=$(stat_line cpu1 || echo "$e0")
  local wall rps p50 p99 non2xx sockerr errs reqs wrkcpu proxycpu backcpu c0 c1 steal
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
  rps=$(wrk_rps "$out"); p50=$(wrk_pct "$out" 50); p99=$(wrk_pct "$out" 99)
  non2xx=$(wrk_non2xx "$out"); sockerr=$(wrk_sockerr "$out"); errs=$((non2xx + sockerr)); reqs=$(wrk_requests "$out")
  # the last line: bash may have written a job notice (a killed backend) into the same file first
  wrkcpu=$(awk -v w="$wall" 'NF==2{u=$1; s=$2} END{printf "%.0f", 100*(u+s)/w}' "$out.time")
  proxycpu=$(ticks_pct "$b_proxy" "$a_proxy" "$wall")
  backcpu=$(ticks_pct "$b_back" "$a_back" "$wall")
  [ -n "$kill" ] && backcpu="-"    # the killed backend's ticks are gone with it
  read -r c0 _ <<<"$(busy_pct "$s0" "$e0")"
  read -r c1 _ <<<"$(busy_pct "$s1" "$e1")"
  read -r _ steal <<<"$(busy_pct "$s_all" "$e_all")"
  [ -z "${PROXY_PID:-}" ] && proxycpu="-"
  echo "$label $rps $p50 $p99 $errs $wrkcpu $proxycpu $backcpu $c0 $c1 $steal $non2xx $sockerr $reqs" >> "$RUNS"
  printf '  %-30s rps=%-10s p50=%-7sms p99=%-7sms err=%s (non-2xx %s, socket %s) cpu%%: wrk=%s proxy=%s backends=%s | cpu0=%s%% cpu1=%s%% steal=%s%%\n' \
    "$label" "$rps" "$p50" "$p99" "$errs" "$non2xx" "$sockerr" "$wrkcpu" "$proxycpu" "$backcpu" "$c0" "$c1" "$steal"
}

check_shape() {  # one request of the shape through a port, showing that the body reached a backend
  local name=$1 shape=$2 port=$3 url seen
  url="http://$HOST:$port$(shape_path "$shape")"
  case $shape in
    get|conns1000)
      seen=""; for _ in 1 2 3 4; do seen+="$(curl -fs "$url" | tr -d '\n') "; done ;;
    post*)
      seen=$(head -c "$(shape_body "$shape")" /dev/zero | tr '\0' 'x' \
        | curl -fs --data-binary @- -H 'Content-Type: application/octet-stream' "$url" | tr -d '\n') ;;
    resp16k)
      seen="$(curl -fs "$url" | wc -c) bytes" ;;
  esac
  echo "  check $name $shape -> $seen"
  echo "$LAYOUT $shape $name: $seen" >> "$WORK/checks.txt"
}

wait_rejoin() {  # kill mode: wait until sequential requests through the proxy reach b2 again; echo the seconds
  local port=$1 t0 i
  t0=$(date +%s.%N)
  for i in $(seq 1 $((RECOVER_TIMEOUT * 10))); do
    if curl -fs "http://$HOST:$port/" 2>/dev/null | grep -q instance-b2; then
      awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; return 0
    fi
    sleep 0.1
  done
  echo "timeout"
}

scenario() {  # $1 name, $2 shape, $3 port, $4 warm-up
  local name=$1 shape=$2 port=$3 warm=$4 r kill=
  [ "$MODE" = kill ] && [ "$name" != direct ] && kill=kill
  echo " [$LAYOUT] $shape via $name (warm-up $warm)"
  check_shape "$name" "$shape" "$port"
  wrk_shape "$shape" "$port" "$warm" > "$RAW/$LAYOUT-$shape-$name-warmup.txt" 2>&1
  for r in $(seq 1 "$REPS"); do
    run_wrk "$LAYOUT/$shape/$name#$r" "$shape" "$port" "$RAW/$LAYOUT-$shape-$name-$r.txt" $kill
    if [ -n "$kill" ]; then
      reap_backend B2; start_backend b2 "$B2_PORT" B2
      local back; back=$(wait_rejoin "$port")
      echo "  b2 restarted; back in rotation through $name after ${back}s"
      echo "$LAYOUT/$shape/$name#$r $back" >> "$WORK/rejoin.txt"
    fi
  done
}

# ---------------------------------------------------------------- main
RUNS="$WORK/runs.txt"; : > "$RUNS"; : > "$WORK/checks.txt"; : > "$WORK/rejoin.txt"
BEGIN_TS=$(date +%s)
echo "proxy-shapes ($MODE): shapes=[$SHAPES] layouts=[$LAYOUTS] proxies=[$PROXIES] reps=$REPS duration=$DURATION conns=$CONNS/$CONNS_MANY wrk-threads=$WRK_THREADS${KILL_AT:+ kill-at=${KILL_AT}s} work=$WORK"
for LAYOUT in $LAYOUTS; do
  PROXY_PID=
  start_backend b1 $B1_PORT B1
  start_backend b2 $B2_PORT B2
  for shape in $SHAPES; do scenario direct "$shape" $B1_PORT "$WARMUP"; done
  for px in $PROXIES; do
    start_proxy "$px"
    warm=$WARMUP
    if [ "$px" = loadstar ]; then
      echo " [$LAYOUT] loadstar JIT warm-up $LOADSTAR_WARMUP"
      wrk_shape get "$PROXY_PORT" "$LOADSTAR_WARMUP" > "$RAW/$LAYOUT-loadstar-jit.txt" 2>&1
      warm=$LOADSTAR_SHAPE_WARMUP
    fi
    for shape in $SHAPES; do scenario "$px" "$shape" "$PROXY_PORT" "$warm"; done
    if [ "$px" = loadstar ]; then  # the gateway's own counters (its 5xx, per-target errors) and its output
      curl -fs "http://$HOST:$LOADSTAR_ADMIN/metrics" | grep -v '^#' | grep -v '^jvm\|^process\|^system' \
          > "$RAW/$LAYOUT-loadstar-metrics.txt" 2>&1 || true
    fi
    stop_proxy
    for f in "$WORK/$px/stdout.log" "$WORK/$px/events.log" "$WORK/$px-proxy/logs/error.log"; do
      if [ -s "$f" ]; then cp "$f" "$RAW/$LAYOUT-$px-$(basename "$f")"; fi
    done
  done
  cleanup
done
END_TS=$(date +%s)
cp "$RUNS" "$RAW/runs.txt"; cp "$WORK/checks.txt" "$RAW/checks.txt"; cp "$WORK/rejoin.txt" "$RAW/rejoin.txt"
for f in "$WORK"/*/nginx.conf "$WORK"/*/haproxy.cfg "$WORK"/*/loadstar.yaml; do  # effective configs (last layout)
  [ -f "$f" ] && cp "$f" "$RAW/$(basename "$(dirname "$f")")-$(basename "$f")"
done

# ---------------------------------------------------------------- tables (medians), one per shape
TABLES="$WORK/tables.md"; : > "$TABLES"
for shape in $SHAPES; do
  {
    echo "### $shape: $(shape_desc "$shape")"
    echo
    if [ "$MODE" = kill ]; then
      echo "| layout | target | req/s (median) | req/s min-max | p50 ms | p99 ms | % of direct | CPU% wrk / proxy | cpu0 / cpu1 busy | requests | failed (non-2xx + socket errors) | b2 back in rotation after (s) |"
      echo "|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|---|"
    else
      echo "| layout | target | req/s (median) | req/s min-max | p50 ms | p99 ms | % of direct | CPU% wrk / proxy / backends | cpu0 / cpu1 busy | errors |"
      echo "|---|---|---:|---:|---:|---:|---:|---|---|---:|"
    fi
    for LAYOUT in $LAYOUTS; do
      direct_rps=$(awk -v l="$LAYOUT/$shape/direct#" 'index($1,l)==1{print $2}' "$RUNS" | median)
      for name in direct $PROXIES; do
        sel() { awk -v l="$LAYOUT/$shape/$name#" -v c="$1" 'index($1,l)==1{print $c}' "$RUNS"; }
        sum() { sel "$1" | awk '{s+=$1} END{print s+0}'; }
        rps=$(sel 2 | median); p50=$(sel 3 | median); p99=$(sel 4 | median)
        mn=$(sel 2 | sort -g | head -1); mx=$(sel 2 | sort -g | tail -1)
        errs=$(sum 5); non2xx=$(sum 12); sockerr=$(sum 13); reqs=$(sum 14)
        wc=$(sel 6 | median); pc=$(sel 7 | awk '$1!="-"' | median); bc=$(sel 8 | awk '$1!="-"' | median)
        c0=$(sel 9 | median); c1=$(sel 10 | median)
        pct=$(awk -v a="$rps" -v b="$direct_rps" 'BEGIN{printf "%.0f%%", 100*a/b}')
        if [ "$MODE" = kill ]; then
          back=$(awk -v l="$LAYOUT/$shape/$name#" 'index($1,l)==1{printf "%s%s", sep, $2; sep=", "}' "$WORK/rejoin.txt")
          printf '| %s | %s | %.0f | %.0f-%.0f | %.2f | %.2f | %s | %s / %s | %s / %s | %s | %s (%s + %s) | %s |\n' \
            "$LAYOUT" "$name" "$rps" "$mn" "$mx" "$p50" "$p99" "$pct" "$wc" "$pc" "$c0" "$c1" "$reqs" "$errs" \
            "$non2xx" "$sockerr" "${back:--}"
        else
          printf '| %s | %s | %.0f | %.0f-%.0f | %.2f | %.2f | %s | %s / %s / %s | %s / %s | %s |\n' \
            "$LAYOUT" "$name" "$rps" "$mn" "$mx" "$p50" "$p99" "$pct" "$wc" "$pc" "$bc" "$c0" "$c1" "$errs"
        fi
      done
    done
    echo
  } >> "$TABLES"
done
echo
echo "Results (median of $REPS x $DURATION, wrk -t$WRK_THREADS, HTTP/1.1 keep-alive, loopback${KILL_AT:+, b2 SIGKILLed ${KILL_AT}s into each proxy run}):"
echo
cat "$TABLES"
echo "(elapsed $((END_TS-BEGIN_TS))s; raw wrk output in $RAW)"
TOTAL_ERRS=$(awk '$1 !~ /\/direct#/{s+=$5} END{print s+0}' "$RUNS")
# kill mode: what must hold is 0 failed GETs through the gateway; shapes mode: 0 errors through every proxy
GATEWAY_GET_ERRS=$(awk '$1 ~ /\/loadstar#/ && $1 !~ /\/post/{s+=$5} END{print s+0}' "$RUNS")

# ---------------------------------------------------------------- RESULTS.md
{
  if [ "$MODE" = kill ]; then
    echo "# Proxies with a backend killed mid-run: direct vs nginx vs HAProxy vs Loadstar (loopback)"
  else
    echo "# Proxy traffic shapes: direct vs nginx vs HAProxy vs Loadstar (loopback)"
  fi
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(machine_line)"
  echo "- versions: $(versions_line)"
  echo "- load: \`wrk -t$WRK_THREADS -c<conns> -d$DURATION --latency\` (HTTP/1.1 keep-alive, closed loop), $REPS reps after a $WARMUP warm-up ($LOADSTAR_SHAPE_WARMUP for the gateway, after a $LOADSTAR_WARMUP JIT warm-up); medians per column"
  echo "- backends: 2 x nginx (1 worker each) on 127.0.0.1:$B1_PORT/$B2_PORT (conf/backend-nginx.conf.in): \`GET /\` answers \"instance-bN\\n\"; \`POST /post\` reads the whole body into memory, then answers; \`/static/16k.bin\` is a 16 KiB file"
  echo "- proxies: nginx (conf/proxy-nginx.conf.in, keepalive 64, client_body_buffer_size 128k), HAProxy (conf/haproxy.cfg.in, http-reuse always, maxconn 8000), haproxy-retry (the same plus \`check\`, \`retries 3\`, \`option redispatch 1\`, \`retry-on conn-failure empty-response response-timeout\`, no retry for POST), Loadstar \`gateway --config\` (conf/loadstar.yaml.in: round_robin, maxConnectionsPerTarget $LOADSTAR_POOL, eventLoops = proxy workers${KILL_AT:+, healthCheck every ${KILL_HC_INTERVAL}s with thresholds 2, outlier ejection ${KILL_EJECTION}s})"
  echo "- layouts: **pinned** = wrk on CPU0, backends + proxy on CPU1, proxy with 1 worker/thread; **shared** = no pinning, proxy with $NCPU workers/threads"
  if [ "$MODE" = kill ]; then
    echo "- kill: in every measured run through a proxy, backend b2 (nginx master and worker) gets SIGKILL ${KILL_AT}s in; after the run it restarts on the same port and the next run starts once sequential requests through the proxy reach it again (at most ${RECOVER_TIMEOUT}s). direct goes to b1 and is not disturbed. Failed = non-2xx answers + socket errors (connect, read, write, timeout) as wrk counts them."
  fi
  echo "- CPU% columns: 100 = one core, from /proc over each wrk run (wrk via getrusage); cpu0/cpu1 = busy % of each core"
  echo "- elapsed: $((END_TS-BEGIN_TS)) s"
  echo
  cat "$TABLES"
  echo "Checks (one request of each shape through each target before its runs):"
  echo
  sed 's/^/    /' "$WORK/checks.txt"
  echo
  echo "All runs (label rps p50ms p99ms errors wrk% proxy% backends% cpu0% cpu1% steal% non2xx socket-errors requests):"
  echo
  sed 's/^/    /' "$RUNS"
} > "$RESULTS"
echo "wrote $RESULTS"
rm -rf "$WORK"
echo "failed requests through proxies (all shapes, all reps): $TOTAL_ERRS; failed GETs through the gateway: $GATEWAY_GET_ERRS"
if [ "$MODE" = kill ]; then
  [ "$GATEWAY_GET_ERRS" -eq 0 ] || { echo "FAIL: the gateway failed $GATEWAY_GET_ERRS GETs with a backend killed"; exit 1; }
else
  [ "$TOTAL_ERRS" -eq 0 ] || { echo "FAIL: $TOTAL_ERRS errors through the proxies (see the errors columns)"; exit 1; }
fi
