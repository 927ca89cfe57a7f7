# Shared by run-shapes.sh and run-flat.sh (sourced, not run): process handling, the backends and proxies, CPU
# accounting from /proc, and wrk output parsing. Taken from ../shared/bench/proxy/run.sh so the method is the same.
# The caller sets: HERE (this directory), WORK (a temporary directory), HOST, LAYOUT, NCPU, the ports
# (B1_PORT B2_PORT NGINX_PORT HAPROXY_PORT LOADSTAR_PORT LOADSTAR_ADMIN), LOADSTAR_JAR, LOADSTAR_JAVA_OPTS,
# LOADSTAR_POOL and LOADSTAR_HEALTH (YAML lines under the target group, may be empty), then calls `trap cleanup EXIT
# INT TERM`.

CLK_TCK=$(getconf CLK_TCK)
STARTED_PIDS=()
PROXY_PID=
PID_B1=
PID_B2=

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
forget_pid() {  # drop one pid from STARTED_PIDS
  local keep=() p
  for p in "${STARTED_PIDS[@]:-}"; do [ -n "$p" ] && [ "$p" != "$1" ] && keep+=("$p"); done
  STARTED_PIDS=("${keep[@]:-}")
}

wait_http() {  # wait until http://HOST:port/ answers 200; $2 = a log to show if it does not
  local port=$1 log=${2:-}
  for _ in $(seq 1 100); do
    if curl -fs -o /dev/null "http://$HOST:$port/"; then return 0; fi
    sleep 0.05
  done
  echo "server on port $port did not come up"; [ -n "$log" ] && [ -f "$log" ] && tail -20 "$log"; exit 1
}

check_ports() {  # refuse to start when one of the ports is taken
  local p
  for p in "$@"; do
    if (exec 3<>/dev/tcp/$HOST/$p) 2>/dev/null; then echo "port $p already in use on $HOST"; exit 1; fi
  done
}

raise_nofile() {  # 1,000 client connections plus their upstream connections need more than 1,024 descriptors
  local want=$1 hard
  hard=$(ulimit -Hn)
  [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ] && want=$hard
  [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ] && ulimit -n "$want"
  return 0
}

pin_server() { if [ "$LAYOUT" = pinned ]; then echo "taskset -c 1"; fi; }
pin_client() { if [ "$LAYOUT" = pinned ]; then echo "taskset -c 0"; fi; }
proxy_workers() { if [ "$LAYOUT" = pinned ]; then echo 1; else echo "$NCPU"; fi; }

start_backend() {  # $1 = id, $2 = port, $3 = B1|B2 (sets PID_B1 / PID_B2); nginx, 1 worker
  local id=$1 port=$2 dir="$WORK/backend-$1"
  mkdir -p "$dir/logs" "$dir/www/static"
  chmod 755 "$WORK" "$dir" "$dir/www" "$dir/www/static"    # nginx workers run as nobody when we are root
  [ -f "$dir/www/static/16k.bin" ] || head -c 16384 /dev/zero | tr '\0' 'x' > "$dir/www/static/16k.bin"
  sed -e "s/@PORT@/$port/g" -e "s/@ID@/$id/g" -e "s#@DIR@#$dir#g" \
      "$HERE/conf/backend-nginx.conf.in" > "$dir/nginx.conf"
  rm -f "$dir/sink.sock"
  $(pin_server) nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -g 'daemon off;' \
      >>"$dir/stdout.log" 2>&1 &
  STARTED_PIDS+=($!); eval "PID_$3=$!"
  wait_http "$port" "$dir/logs/error.log"
}

kill_backend() {  # $1 = B1|B2: SIGKILL the nginx master and its worker (a backend that dies, not one that stops)
  local var="PID_$1" pid kids
  pid=${!var}
  kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null || true)
  kill -KILL $kids "$pid" 2>/dev/null || true
}

reap_backend() {  # $1 = B1|B2: collect a killed backend's master and forget it
  local var="PID_$1"
  wait "${!var}" 2>/dev/null || true
  forget_pid "${!var}"
}

start_nginx_proxy() {
  local dir="$WORK/nginx-proxy"
  mkdir -p "$dir/logs"
  sed -e "s/@PORT@/$NGINX_PORT/g" -e "s/@B1@/$B1_PORT/g" -e "s/@B2@/$B2_PORT/g" \
      -e "s/@WORKERS@/$(proxy_workers)/g" -e "s#@DIR@#$dir#g" \
      "$HERE/conf/proxy-nginx.conf.in" > "$dir/nginx.conf"
  $(pin_server) nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -g 'daemon off;' \
      >"$dir/stdout.log" 2>&1 &
  PROXY_PID=$!; STARTED_PIDS+=($PROXY_PID)
  wait_http "$NGINX_PORT" "$dir/logs/error.log"
}

start_haproxy() {  # $1 = haproxy | haproxy-retry
  local dir="$WORK/$1" resilience="" check=""
  mkdir -p "$dir"
  if [ "$1" = haproxy-retry ]; then
    # what an operator adds for backends that die: health checks (HAProxy's defaults: every 2 s, down after 3
    # failures, up after 2), layer-7 retries on another server, never for a POST
    resilience='    retries 3\n    option redispatch 1\n    retry-on conn-failure empty-response response-timeout\n    http-request disable-l7-retry if METH_POST'
    check="check"
  fi
  # HAProxy needs 2 descriptors per connection and refuses to start when maxconn does not fit the limit
  local nofile maxconn=8000; nofile=$(ulimit -n)
  [ "$nofile" != unlimited ] && [ $(( (nofile - 100) / 2 )) -lt $maxconn ] && maxconn=$(( (nofile - 100) / 2 ))
  sed -e "s/@PORT@/$HAPROXY_PORT/g" -e "s/@B1@/$B1_PORT/g" -e "s/@B2@/$B2_PORT/g" -e "s/@MAXCONN@/$maxconn/g" \
      -e "s/@THREADS@/$(proxy_workers)/g" -e "s/@RESILIENCE@/$resilience/" -e "s/@CHECK@/$check/g" \
      "$HERE/conf/haproxy.cfg.in" > "$dir/haproxy.cfg"
  haproxy -c -q -f "$dir/haproxy.cfg" || { haproxy -c -f "$dir/haproxy.cfg"; exit 1; }
  $(pin_server) haproxy -db -f "$dir/haproxy.cfg" >"$dir/stdout.log" 2>&1 &
  PROXY_PID=$!; STARTED_PIDS+=($PROXY_PID)
  wait_http "$HAPROXY_PORT" "$dir/stdout.log"
}

start_loadstar() {
  local dir="$WORK/loadstar"
  mkdir -p "$dir"
  sed -e "s/@PORT@/$LOADSTAR_PORT/g" -e "s/@B1@/$B1_PORT/g" -e "s/@B2@/$B2_PORT/g" \
      -e "s/@WORKERS@/$(proxy_workers)/g" -e "s/@ADMIN@/$LOADSTAR_ADMIN/g" -e "s/@POOL@/$LOADSTAR_POOL/g" \
      "$HERE/conf/loadstar.yaml.in" | awk -v h="$LOADSTAR_HEALTH" '$1=="@HEALTH@"{ if (h!="") print h; next } {print}' \
      > "$dir/loadstar.yaml"
  # -XX:ActiveProcessorCount keeps the JVM's own thread pools to the cores it is pinned to
  local apc=""; [ "$LAYOUT" = pinned ] && apc="-XX:ActiveProcessorCount=1"
  # shellcheck disable=SC2086
  $(pin_server) java $apc $LOADSTAR_JAVA_OPTS -jar "$LOADSTAR_JAR" gateway --config "$dir/loadstar.yaml" >"$dir/stdout.log" 2>&1 &
  PROXY_PID=$!; STARTED_PIDS+=($PROXY_PID)
  for _ in $(seq 1 300); do curl -fs -o /dev/null "http://$HOST:$LOADSTAR_PORT/" && break
    kill -0 "$PROXY_PID" 2>/dev/null || { echo "gateway exited:"; cat "$dir/stdout.log"; exit 1; }; sleep 0.1; done
  wait_http "$LOADSTAR_PORT" "$dir/stdout.log"
}

start_proxy() {  # $1 = nginx | haproxy | haproxy-retry | loadstar; echoes nothing, sets PROXY_PID and PROXY_PORT
  case $1 in
    nginx)         start_nginx_proxy;  PROXY_PORT=$NGINX_PORT ;;
    haproxy*)      start_haproxy "$1"; PROXY_PORT=$HAPROXY_PORT ;;
    loadstar)      start_loadstar;     PROXY_PORT=$LOADSTAR_PORT
                   # the admin event stream (health changes, ejections) for the raw output; it ends with the gateway
                   curl -sN "http://$HOST:$LOADSTAR_ADMIN/api/events" > "$WORK/loadstar/events.log" 2>/dev/null & ;;
    *) echo "unknown proxy $1 (expected: nginx, haproxy, haproxy-retry, loadstar)"; exit 1 ;;
  esac
}

stop_proxy() {
  stop_pid "$PROXY_PID"
  forget_pid "$PROXY_PID"; PROXY_PID=
}

# ---------------------------------------------------------------- shapes (the caller sets CONNS and CONNS_MANY)
shape_path() { case $1 in post*) echo /post ;; resp16k) echo /static/16k.bin ;; *) echo / ;; esac; }
shape_conns() { if [ "$1" = conns1000 ]; then echo "$CONNS_MANY"; else echo "$CONNS"; fi; }
shape_body() { case $1 in post1k) echo 1024 ;; post64k) echo 65536 ;; *) echo 0 ;; esac; }
wrk_args() {  # $1 shape -> the wrk arguments after -t/-c/-d
  local body; body=$(shape_body "$1")
  if [ "$body" -gt 0 ]; then
    local lua="$WORK/post-$body.lua"
    [ -f "$lua" ] || printf 'wrk.method = "POST"\nwrk.body = string.rep("x", %d)\nwrk.headers["Content-Type"] = "application/octet-stream"\n' "$body" > "$lua"
    echo "-s $lua"
  fi
}

wrk_shape() {  # $1 shape, $2 port, $3 duration: one wrk run of the shape (on CPU0 in the pinned layout)
  # shellcheck disable=SC2046
  $(pin_client) wrk -t"$WRK_THREADS" -c"$(shape_conns "$1")" -d"$3" --latency $(wrk_args "$1") \
      "http://$HOST:$2$(shape_path "$1")"
}

# ---------------------------------------------------------------- CPU accounting
tree_ticks() {  # utime+stime (clock ticks) of a pid and its direct children (nginx workers)
  local total=0 p q kids
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
ticks_pct() {  # $1 ticks before, $2 ticks after, $3 wall seconds -> CPU% (100 = one core)
  awk -v a="$1" -v b="$2" -v w="$3" -v hz="$CLK_TCK" 'BEGIN{printf "%.0f", 100*(b-a)/hz/w}'
}

# ---------------------------------------------------------------- wrk output
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f", v}' <<<"$1"; }
wrk_rps()     { awk '/^Requests\/sec:/{print $2}' "$1"; }
wrk_pct()     { to_ms "$(awk -v p="$2%" '$1==p{print $2}' "$1")"; }   # $1 file, $2 50 | 99
wrk_non2xx()  { awk '/Non-2xx/{s+=$NF} END{print s+0}' "$1"; }
wrk_sockerr() { awk '/Socket errors:/{gsub(/,/,""); s+=$4+$6+$8+$10} END{print s+0}' "$1"; }
wrk_requests() { awk '/requests in/{print $1}' "$1"; }

median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "-"; exit} if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

machine_line() {
  echo "nproc=$NCPU, CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') @ $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') MHz, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME")"
}
versions_line() {
  echo "$(nginx -v 2>&1 | sed 's/nginx version: //'), HAProxy $(haproxy -v | head -1 | awk '{print $3}'), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), java: $(java -version 2>&1 | head -1), loadstar.jar of project commit ${LOADSTAR_REV:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}"
}
