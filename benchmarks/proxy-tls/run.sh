#!/usr/bin/env bash
# HTTPS proxy benchmark: nginx terminating TLS beside the Loadstar gateway's HTTPS listener, measured side by side
# in one run with their plain-HTTP selves (same backends, same load generator, same CPU layout, same certificate).
# Derived from the proxy benchmark (shared/bench/proxy/run.sh): same backends, layouts, CPU accounting and tables.
# Loopback only (127.0.0.1). Bounded: every wrk run has a fixed duration.
#
# Usage (from the project root, after `mvn -B -q -DskipTests package`):
#   bash benchmarks/proxy-tls/run.sh     (defaults: about 7-8 minutes on 2 cores)
# Env knobs:
#   LAYOUTS="pinned shared"  pinned: wrk on CPU0, backends+proxy on CPU1 (taskset)
#                            shared: no pinning, proxy gets 2 workers/event loops
#   REPS=3  DURATION=10s  CONNS=64  WRK_THREADS=1  WARMUP=3s
#   PROXIES="nginx nginx-tls loadstar loadstar-tls"   which proxies run (direct always runs)
#   LOADSTAR_JAR=samples/target/loadstar.jar  LOADSTAR_WARMUP=20s (JIT)  LOADSTAR_JAVA_OPTS=""
#   RESULTS=<path>           where the markdown report goes (default ./proxy-tls-bench-results.md)
#   RAW=<dir>                raw wrk output (default ./proxy-tls-bench-raw; wiped first)
# Needs: nginx, wrk, curl, openssl, taskset, java 17 (apt-get install -y nginx wrk curl openssl).
# Keep-alive: every wrk connection makes one TLS handshake and then sends requests for the whole run, so the
# figures are the cost of TLS record processing, not of handshakes.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAYOUTS="${LAYOUTS:-pinned shared}"
REPS="${REPS:-3}"
DURATION="${DURATION:-10s}"
CONNS="${CONNS:-64}"
WRK_THREADS="${WRK_THREADS:-1}"
WARMUP="${WARMUP:-3s}"
RESULTS="${RESULTS:-$(pwd)/proxy-tls-bench-results.md}"
HOST=127.0.0.1
B1_PORT=9101 B2_PORT=9102 NGINX_PORT=9201 NGINX_TLS_PORT=9211 LOADSTAR_PORT=9203 LOADSTAR_TLS_PORT=9213
PROXIES="${PROXIES:-nginx nginx-tls loadstar loadstar-tls}"
# Loadstar: the jar built from the project checkout; JIT needs a longer warm-up than native proxies.
LOADSTAR_JAR="${LOADSTAR_JAR:-$(pwd)/samples/target/loadstar.jar}"
LOADSTAR_WARMUP="${LOADSTAR_WARMUP:-20s}"
LOADSTAR_JAVA_OPTS="${LOADSTAR_JAVA_OPTS:-}"

[[ "$PROXIES" == *loadstar* ]] && { [ -f "$LOADSTAR_JAR" ] || { echo "set LOADSTAR_JAR to samples/target/loadstar.jar"; exit 1; }; }
for t in nginx wrk curl openssl taskset java; do
  command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y nginx wrk curl openssl util-linux)"; exit 1; }
done
NCPU=$(nproc)
if [ "$NCPU" -lt 2 ] && [[ "$LAYOUTS" == *pinned* ]]; then
  echo "only $NCPU CPU: dropping the pinned layout"; LAYOUTS="shared"
fi
for p in $B1_PORT $B2_PORT $NGINX_PORT $NGINX_TLS_PORT $LOADSTAR_PORT $LOADSTAR_TLS_PORT; do
  if (exec 3<>/dev/tcp/$HOST/$p) 2>/dev/null; then echo "port $p already in use on $HOST"; exit 1; fi
done

WORK="$(mktemp -d -t proxy-bench.XXXXXX)"
RAW="${RAW:-$(pwd)/proxy-tls-bench-raw}"; rm -rf "$RAW"; mkdir -p "$RAW"
# one self-signed EC P-256 certificate for both TLS proxies, made for this run only (deleted with $WORK)
CERT="$WORK/cert.pem" KEY="$WORK/key.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$KEY" -out "$CERT" -days 2 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
CLK_TCK=$(getconf CLK_TCK)
STARTED_PIDS=()

# ---------------------------------------------------------------- processes
stop_pid() {  # stop one process we started (nginx master takes its workers along)
  local pid=$1
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]:-}"; do [ -n "$pid" ] && stop_pid "$pid"; done
  STARTED_PIDS=()
}
trap cleanup EXIT INT TERM

url() {  # $1 port, $2 scheme (default http)
  echo "${2:-http}://$HOST:$1/"
}

wait_http() {  # wait until the URL answers 200 (-k: the run's self-signed certificate); $1 port, $2 scheme, $3 tries
  local port=$1 scheme=${2:-http} tries=${3:-100}
  for _ in $(seq 1 "$tries"); do
    if curl -kfs -o /dev/null "$(url "$port" "$scheme")"; then return 0; fi
    sleep 0.05
  done
  echo "server on port $port did not come up"; exit 1
}

pin_server() { if [ "$LAYOUT" = pinned ]; then echo "taskset -c 1"; fi; }
pin_client() { if [ "$LAYOUT" = pinned ]; then echo "taskset -c 0"; fi; }
proxy_workers() { if [ "$LAYOUT" = pinned ]; then echo 1; else echo "$NCPU"; fi; }

start_backend() {  # $1 = id, $2 = port ; nginx, 1 worker, fixed short body
  local id=$1 port=$2 dir="$WORK/backend-$1"
  mkdir -p "$dir/logs"
  sed -e "s/@PORT@/$port/g" -e "s/@ID@/$id/g" -e "s#@DIR@#$dir#g" \
      "$HERE/conf/backend-nginx.conf.in" > "$dir/nginx.conf"
  $(pin_server) nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -g 'daemon off;' \
      >"$dir/stdout.log" 2>&1 &
  STARTED_PIDS+=($!); eval "PID_$3=$!"
  wait_http "$port"
}

start_nginx_proxy() {  # $1 conf template, $2 port, $3 scheme
  local conf=$1 port=$2 scheme=$3 dir="$WORK/$1"
  mkdir -p "$dir/logs"
  sed -e "s/@PORT@/$port/g" -e "s/@B1@/$B1_PORT/g" -e "s/@B2@/$B2_PORT/g" \
      -e "s/@WORKERS@/$(proxy_workers)/g" -e "s#@DIR@#$dir#g" -e "s#@CERT@#$CERT#g" -e "s#@KEY@#$KEY#g" \
      "$HERE/conf/$conf.conf.in" > "$dir/nginx.conf"
  $(pin_server) nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -g 'daemon off;' \
      >"$dir/stdout.log" 2>&1 &
  PROXY_PID=$!; STARTED_PIDS+=($PROXY_PID)
  wait_http "$port" "$scheme"
}

start_loadstar() {  # $1 port, $2 scheme: the gateway on the public API (TlsGateway.java), HTTPS with the run's cert
  local port=$1 scheme=$2 dir="$WORK/loadstar-$2" tls=()
  mkdir -p "$dir"
  [ "$scheme" = https ] && tls=("$CERT" "$KEY")
  # -XX:ActiveProcessorCount keeps the JVM's own thread pools to the cores it is pinned to
  local apc=""; [ "$LAYOUT" = pinned ] && apc="-XX:ActiveProcessorCount=1"
  $(pin_server) java $apc $LOADSTAR_JAVA_OPTS -cp "$LOADSTAR_JAR" "$HERE/TlsGateway.java" \
      "$port" "$(proxy_workers)" "$B1_PORT" "$B2_PORT" "${tls[@]}" >"$dir/stdout.log" 2>&1 &
  PROXY_PID=$!; STARTED_PIDS+=($PROXY_PID)
  wait_http "$port" "$scheme" 600   # the source launcher compiles TlsGateway.java first
}

stop_proxy() {
  stop_pid "$PROXY_PID"
  local keep=() p
  for p in "${STARTED_PIDS[@]}"; do [ "$p" != "$PROXY_PID" ] && keep+=("$p"); done
  STARTED_PIDS=("${keep[@]}"); PROXY_PID=
}

# ---------------------------------------------------------------- CPU accounting
tree_ticks() {  # utime+stime (clock ticks) of a pid and its direct children (nginx workers)
  local total=0 p kids
  for p in "$@"; do
    [ -z "$p" ] && continue
    kids=$(cat /proc/"$p"/task/*/children 2>/dev/null || true)
    for q in $p $kids; do
      if [ -r /proc/$q/stat ]; then
        # fields after the ")" : utime is field 14, stime 15 of the full line
        total=$(( total + $(sed 's/^.*) //' /proc/$q/stat | awk '{print $12 + $13}') ))
      fi
    done
  done
  echo "$total"
}
stat_line() { grep -E "^$1 " /proc/stat; }   # cpu / cpu0 / cpu1
busy_pct() {  # $1 before line, $2 after line -> "busy% steal%"
  awk -v a="$1" -v b="$2" 'BEGIN{
    n=split(a,x," "); split(b,y," ");
    tot=0; for(i=2;i<=9;i++){d[i]=y[i]-x[i]; tot+=d[i]}
    if(tot<=0){print "0 0"; exit}
    idle=d[5]+d[6]; printf "%.0f %.1f", 100*(tot-idle)/tot, 100*d[9]/tot }'
}

# ---------------------------------------------------------------- wrk
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f", v}' <<<"$1"; }

# run_one <label> <port> <outfile> -> appends "rps p50 p99 errors wrkcpu proxycpu backcpu cpu0 cpu1 steal" to $RUNS
run_wrk() {
  local label=$1 port=$2 out=$3 scheme=${4:-http}
  local b_back b_proxy s_all s0 s1 t0 t1
  b_back=$(tree_ticks "$PID_B1" "$PID_B2"); b_proxy=$(tree_ticks "${PROXY_PID:-}")
  s_all=$(stat_line cpu); s0=$(stat_line cpu0); s1=$(stat_line cpu1 || echo "$s0")
  t0=$(date +%s.%N)
  TIMEFORMAT='%U %S'
  { time $(pin_client) wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency "$(url "$port" "$scheme")" >"$out" 2>&1 ; } 2>"$out.time"
  t1=$(date +%s.%N)
  local a_back a_proxy e_all e0 e1
  a_back=$(tree_ticks "$PID_B1" "$PID_B2"); a_proxy=$(tree_ticks "${PROXY_PID:-}")
  e_all=$(stat_line cpu); e0=$(stat_line cpu0); e1=$(stat_line cpu1 || echo "$e0")
  local wall rps p50 p99 errs wrkcpu proxycpu backcpu
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
  rps=$(awk '/^Requests\/sec:/{print $2}' "$out")
  p50=$(to_ms "$(awk '/^ +50%/{print $2}' "$out")")
  p99=$(to_ms "$(awk '/^ +99%/{print $2}' "$out")")
  errs=$(awk '/Socket errors:/{gsub(/,/,""); s+=$4+$6+$8+$10} /Non-2xx/{s+=$NF} END{print s+0}' "$out")
  wrkcpu=$(awk -v w="$wall" '{printf "%.0f", 100*($1+$2)/w}' "$out.time")
  proxycpu=$(awk -v a="$b_proxy" -v b="$a_proxy" -v w="$wall" -v hz="$CLK_TCK" 'BEGIN{printf "%.0f", 100*(b-a)/hz/w}')
  backcpu=$(awk -v a="$b_back" -v b="$a_back" -v w="$wall" -v hz="$CLK_TCK" 'BEGIN{printf "%.0f", 100*(b-a)/hz/w}')
  read -r c0 _ <<<"$(busy_pct "$s0" "$e0")"
  read -r c1 _ <<<"$(busy_pct "$s1" "$e1")"
  read -r _ steal <<<"$(busy_pct "$s_all" "$e_all")"
  [ -z "${PROXY_PID:-}" ] && proxycpu="-"
  echo "$label $rps $p50 $p99 $errs $wrkcpu $proxycpu $backcpu $c0 $c1 $steal" >> "$RUNS"
  printf '  %-22s rps=%-10s p50=%-7sms p99=%-7sms err=%s cpu%%: wrk=%s proxy=%s backends=%s | cpu0=%s%% cpu1=%s%% steal=%s%%\n' \
    "$label" "$rps" "$p50" "$p99" "$errs" "$wrkcpu" "$proxycpu" "$backcpu" "$c0" "$c1" "$steal"
}

check_rr() {  # show which backend answered 4 sequential requests; $1 port, $2 scheme
  local port=$1 scheme=${2:-http} ids=""
  for _ in 1 2 3 4; do ids+="$(curl -kfs "$(url "$port" "$scheme")" | tr -d '\n') "; done
  echo "  round-robin check :$port -> $ids"
  echo "$LAYOUT :$port $ids" >> "$WORK/rr.txt"
}

scenario() {  # $1 name, $2 port, $3 scheme
  local name=$1 port=$2 scheme=${3:-http}
  echo " [$LAYOUT] $name (warm-up $WARMUP)"
  $(pin_client) wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WARMUP" "$(url "$port" "$scheme")" > "$RAW/$LAYOUT-$name-warmup.txt" 2>&1
  for r in $(seq 1 "$REPS"); do
    run_wrk "$LAYOUT/$name#$r" "$port" "$RAW/$LAYOUT-$name-$r.txt" "$scheme"
  done
}

loadstar_scenario() {  # $1 name, $2 port, $3 scheme: JIT warm-up first
  start_loadstar "$2" "$3"; check_rr "$2" "$3"
  $(pin_client) wrk -t"$WRK_THREADS" -c"$CONNS" -d"$LOADSTAR_WARMUP" "$(url "$2" "$3")" > "$RAW/$LAYOUT-$1-jit.txt" 2>&1
  scenario "$1" "$2" "$3"; stop_proxy
}

# ---------------------------------------------------------------- main
RUNS="$WORK/runs.txt"; : > "$RUNS"; : > "$WORK/rr.txt"
BEGIN_TS=$(date +%s)
echo "proxy-tls-bench: layouts=[$LAYOUTS] reps=$REPS duration=$DURATION conns=$CONNS wrk-threads=$WRK_THREADS work=$WORK"
for LAYOUT in $LAYOUTS; do
  PROXY_PID=
  start_backend b1 $B1_PORT B1
  start_backend b2 $B2_PORT B2
  scenario direct $B1_PORT
  for px in $PROXIES; do
    case $px in
      nginx)        start_nginx_proxy proxy-nginx $NGINX_PORT http; check_rr $NGINX_PORT
                    scenario nginx $NGINX_PORT http; stop_proxy ;;
      nginx-tls)    start_nginx_proxy proxy-nginx-tls $NGINX_TLS_PORT https; check_rr $NGINX_TLS_PORT https
                    scenario nginx-tls $NGINX_TLS_PORT https; stop_proxy ;;
      loadstar)     loadstar_scenario loadstar $LOADSTAR_PORT http ;;
      loadstar-tls) loadstar_scenario loadstar-tls $LOADSTAR_TLS_PORT https ;;
      *) echo "unknown proxy $px (expected: nginx nginx-tls loadstar loadstar-tls)"; exit 1 ;;
    esac
  done
  cleanup
done
END_TS=$(date +%s)
cp "$RUNS" "$RAW/runs.txt"; cp "$WORK/rr.txt" "$RAW/rr.txt"
for f in "$WORK"/*/nginx.conf; do  # effective configs of the last layout
  [ -f "$f" ] && cp "$f" "$RAW/$(basename "$(dirname "$f")")-$(basename "$f")"
done

# ---------------------------------------------------------------- table (medians)
median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "-"; exit} if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
TABLE="$WORK/table.md"
{
  echo "| layout | target | req/s (median) | req/s min-max | p50 ms | p99 ms | % of direct | CPU% wrk / proxy / backends | cpu0 / cpu1 busy | errors |"
  echo "|---|---|---:|---:|---:|---:|---:|---|---|---:|"
  for LAYOUT in $LAYOUTS; do
    direct_rps=$(awk -v l="$LAYOUT/direct#" 'index($1,l)==1{print $2}' "$RUNS" | median)
    for name in direct $PROXIES; do
      sel() { awk -v l="$LAYOUT/$name#" -v c="$1" 'index($1,l)==1{print $c}' "$RUNS"; }
      rps=$(sel 2 | median); p50=$(sel 3 | median); p99=$(sel 4 | median)
      mn=$(sel 2 | sort -g | head -1); mx=$(sel 2 | sort -g | tail -1)
      errs=$(sel 5 | awk '{s+=$1} END{print s+0}')
      wc=$(sel 6 | median); pc=$(sel 7 | awk '$1!="-"' | median); bc=$(sel 8 | median)
      c0=$(sel 9 | median); c1=$(sel 10 | median)
      pct=$(awk -v a="$rps" -v b="$direct_rps" 'BEGIN{printf "%.0f%%", 100*a/b}')
      printf '| %s | %s | %.0f | %.0f-%.0f | %.2f | %.2f | %s | %s / %s / %s | %s / %s | %s |\n' \
        "$LAYOUT" "$name" "$rps" "$mn" "$mx" "$p50" "$p99" "$pct" "$wc" "$pc" "$bc" "$c0" "$c1" "$errs"
    done
  done
} > "$TABLE"
echo
echo "Results (median of $REPS x $DURATION, wrk -t$WRK_THREADS -c$CONNS, HTTP/1.1 keep-alive, loopback; *-tls over TLS):"
cat "$TABLE"
echo "(elapsed $((END_TS-BEGIN_TS))s; raw wrk output in $RAW)"

# ---------------------------------------------------------------- RESULTS.md
{
  echo "# HTTPS proxy: nginx and the Loadstar gateway, over TLS and in plaintext (loopback)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: nproc=$NCPU, CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') @ $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') MHz, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "- versions: $(nginx -v 2>&1 | sed 's/nginx version: //'), $(openssl version), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  echo "- load: \`wrk -t$WRK_THREADS -c$CONNS -d$DURATION --latency\` (HTTP/1.1 keep-alive, closed loop: one TLS handshake per connection), $REPS reps after a $WARMUP warm-up; medians per column (each column's median taken on its own)"
  echo "- certificate: one self-signed EC P-256 certificate made by openssl for the run, served by both TLS proxies"
  echo "- backends: 2 x nginx (1 worker each, separate master processes) on 127.0.0.1:$B1_PORT/$B2_PORT, \`return 200 \"instance-bN\\n\"\`, plaintext, access log off"
  echo "- nginx: :$NGINX_PORT (HTTP) and :$NGINX_TLS_PORT (\`ssl\`, TLSv1.2 TLSv1.3, session cache), upstream round-robin, \`keepalive 64\`, access log off"
  echo "- Loadstar: :$LOADSTAR_PORT (HTTP) and :$LOADSTAR_TLS_PORT (HTTPS listener, ELBSecurityPolicy-TLS13-1-2-2021-06), benchmarks/proxy-tls/TlsGateway.java on the public API (round_robin, eventLoops = proxy workers, no health checks), $LOADSTAR_WARMUP JIT warm-up before the same warm-up and reps; jar: loadstar.jar of project commit ${LOADSTAR_REV:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}; java: $(java -version 2>&1 | head -1)"
  echo "- layouts: **pinned** = wrk on CPU0 (\`taskset -c 0\`), backends + proxy share CPU1 (\`taskset -c 1\`), proxy with 1 worker / event loop;"
  echo "  **shared** = no pinning, proxy with $NCPU workers / event loops, everything competes for $NCPU cores"
  echo "- CPU% columns: 100 = one core, measured from /proc over each wrk run (wrk via getrusage); cpu0/cpu1 = busy % of each core"
  echo "- elapsed: $((END_TS-BEGIN_TS)) s"
  echo
  cat "$TABLE"
  echo
  echo "Round-robin check (4 sequential curl requests through each proxy):"
  echo
  sed 's/^/    /' "$WORK/rr.txt"
  echo
  echo "All runs (label rps p50ms p99ms errors wrk% proxy% backends% cpu0% cpu1% steal%):"
  echo
  sed 's/^/    /' "$RUNS"
  if [ -f "$HERE/README.md" ]; then echo; sed -n "/^## Method/,\$p" "$HERE/README.md"; fi
} > "$RESULTS"
echo "wrote $RESULTS"
rm -rf "$WORK"
