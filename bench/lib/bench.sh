# Shell steps shared by the benchmarks (bench/failover-latency, bench/soak; sourced, not run). Each benchmark
# runs on its own sandbox in $SANDBOX_DIR (so the demo's sandbox is untouched), with the relay started from a
# copy of the jar, and tears everything down before it prints its table.
# The sourcing script sets REPO, BENCH (its name, for messages and the lock) and SANDBOX_DIR first, and
# BENCH_ZOOKEEPER (1 or 3) for a sandbox with ZooKeeper, on which bench_start_cluster runs relays in cluster mode,
# or BENCH_SANDBOX_UP, a function of its own that brings a sandbox of another shape up in $SANDBOX_DIR instead of
# bin/sandbox up: it writes sandbox.env (with API_PORT and RELAY_CONFIG) and pid files that bin/sandbox down stops;
# and BENCH_TLS=1 for a bin/sandbox on TLS only (bin/sandbox up --tls).
# shellcheck shell=bash disable=SC2034 # relay_pid, startup_ms, leader and bench_rc are read by the sourcing script

# shellcheck source=bin/lib/common.sh
source "$REPO/bin/lib/common.sh"
# shellcheck source=bin/lib/cluster.sh
source "$REPO/bin/lib/cluster.sh"
export SANDBOX_DIR
SANDBOX=$REPO/bin/sandbox
JAR=target/sentinel-relay.jar
# The relay and the benchmark run from a copy: a rebuild of target/ during the run must not pull the jar away
# from under a running JVM. The name keeps "sentinel-relay", which bin/sandbox down checks before it stops a PID.
BENCH_JAR=$SANDBOX_DIR/sentinel-relay.jar
# The benchmark programs' class path: the jar (Jedis, Jackson) and bench/lib/Bench*.java, compiled here.
BENCH_CLASSES=$SANDBOX_DIR/classes
BENCH_CP=$BENCH_JAR:$BENCH_CLASSES
RELAY_LOG=$SANDBOX_DIR/relay.log
RELAY_PID_FILE=$SANDBOX_DIR/pids/relay.pid
TABLE=$SANDBOX_DIR/table.md
READY_TIMEOUT=30

say() { echo "$BENCH: $*"; }
fail() { echo "$BENCH: FAILED: $*" >&2; exit 1; }

# True when GET /health/ready answers 200. Bash's /dev/tcp and builtins only, no process per request, so
# that polling every 20 ms measures the start-up time with about that resolution.
relay_ready() {
    local status=""
    { exec 3<>"/dev/tcp/127.0.0.1/$API_PORT"; } 2>/dev/null || return 1
    printf 'GET /health/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    read -r -t 2 _ status _ <&3 || true
    exec 3<&- 3>&-
    [[ $status == 200 ]]
}

micros() { echo "${EPOCHREALTIME/./}"; }

bench_pid=""
teardown() {
    if [[ -n $bench_pid ]] && alive "$bench_pid"; then
        kill -TERM "$bench_pid" 2>/dev/null || true
        wait "$bench_pid" 2>/dev/null || true
    fi
    "$SANDBOX" down >&2 || true
    rm -rf "$BENCH_JAR" "$BENCH_CLASSES"
}
on_exit() {
    local rc=$?
    if ((rc != 0)) && [[ -s $RELAY_LOG ]]; then
        echo "--- last lines of $RELAY_LOG ---" >&2
        tail -n 20 "$RELAY_LOG" >&2
    fi
    teardown
    exit "$rc"
}

# One run at a time per sandbox, a jar to measure, no leftovers of an interrupted run (its relay included),
# and a teardown of everything on any exit; then the sandbox is brought up and its sandbox.env sourced.
bench_sandbox_up() {
    mkdir -p "$SANDBOX_DIR"
    exec 9>"$SANDBOX_DIR/bench.lock"
    flock -n 9 || fail "another ${0##*/} is running on $SANDBOX_DIR"

    if [[ ! -f $JAR ]]; then
        say "building $JAR (mvn -B -q package -DskipTests)"
        mvn -B -q package -DskipTests || fail "the build failed"
    elif [[ -n $(find src/main pom.xml -newer "$JAR" -print -quit) ]]; then
        say "WARNING: $JAR is older than src/main or pom.xml; measuring it anyway (rebuild: mvn -B -q package -DskipTests)"
    fi

    if [[ -s $SANDBOX_DIR/sandbox.env || -n $(ls "$SANDBOX_DIR"/pids/*.pid 2>/dev/null) ]]; then
        "$SANDBOX" down
    fi
    trap on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    if [[ -n ${BENCH_SANDBOX_UP:-} ]]; then
        "$BENCH_SANDBOX_UP"
    else
        "$SANDBOX" up ${BENCH_TLS:+--tls} ${BENCH_ZOOKEEPER:+--zookeeper "$BENCH_ZOOKEEPER"}
    fi
    # shellcheck source=/dev/null
    source "$SANDBOX_DIR/sandbox.env"
    export SANDBOX_TLS_DIR # the Java programs ask the sentinels over TLS when it is set
    cp "$JAR" "$BENCH_JAR"
    rm -rf "$BENCH_CLASSES"
    javac -d "$BENCH_CLASSES" -cp "$BENCH_JAR" "$REPO"/bench/lib/Bench*.java || fail "bench/lib/Bench*.java did not compile"
}

# Starts the relay on the sandbox and waits until it is ready; sets relay_pid and startup_ms.
bench_start_relay() {
    # From the repo root: the relay reads routes/*.yaml from the working directory.
    bench_start "the relay" relay_ready java @config/jvm.options -Drelay.config="$RELAY_CONFIG" -jar "$BENCH_JAR"
}

# bench/FloorUpdater.java in the relay's place (--unverified, --floor): ready once subscribed to every sentinel
# (bin/sandbox down stops it: its command line names the copy of sentinel-relay.jar).
updater_ready() { grep -qx ready "$RELAY_LOG"; }

# Starts bench/FloorUpdater.java in the relay's place like bench_start. Usage: bench_start_floor <mode> <arguments...>
# (see its header: the sentinel ports, the admin socket(s), backend/server, in verified mode the Redis ports).
bench_start_floor() {
    bench_start "the $1 floor updater (instead of the relay)" updater_ready java @config/jvm.options -cp "$BENCH_CP" \
        bench/FloorUpdater.java "$@"
}

# Starts what stands in the relay's place (its log and PID where the relay's go, so bin/sandbox down stops it) and
# waits until <ready-check> succeeds; sets relay_pid and startup_ms. Usage: bench_start <name> <ready-check> <command...>
bench_start() {
    local name=$1 ready=$2 started deadline
    shift 2
    say "starting $name (log: $RELAY_LOG)"
    started=$(micros)
    "$@" >"$RELAY_LOG" 2>&1 </dev/null &
    relay_pid=$!
    echo "$relay_pid" >"$RELAY_PID_FILE"
    deadline=$((SECONDS + READY_TIMEOUT))
    until "$ready"; do
        alive "$relay_pid" || fail "$name exited during start-up"
        ((SECONDS < deadline)) || fail "$name was not ready within ${READY_TIMEOUT} s"
        sleep 0.02
    done
    startup_ms=$((($(micros) - started) / 1000))
    say "$name ready after $startup_ms ms (pid $relay_pid)"
}

# Starts relays 1..$1 of one cluster on the sandbox (bin/lib/cluster.sh; relay-1 on the sandbox's API port) and
# waits until every one is ready and one leads; sets leader (its number), relay_pid and RELAY_LOG (the leader's) and
# startup_ms (start to all ready with a leader).
bench_start_cluster() {
    local relays=$1 n port ports=("$API_PORT") started deadline
    for n in $(seq "$relays"); do
        if ((n > 1)); then
            port=$(free_port "${ports[@]}") || fail "no free port found in 20000-31999"
            ports+=("$port")
        fi
        cluster_configure_relay "$n" "${ports[n - 1]}"
    done
    say "starting $relays relay(s) of a cluster on ZooKeeper $ZK_CONNECT (logs: $SANDBOX_DIR/relay-N/relay.log)"
    started=$(micros)
    for n in $(seq "$relays"); do cluster_start_relay "$n" "$BENCH_JAR"; done
    # several JVMs starting at once: more time than one relay gets
    deadline=$((SECONDS + READY_TIMEOUT * relays))
    for n in $(seq "$relays"); do
        until cluster_relay_ready "$n"; do
            alive "$(cluster_relay_pid "$n")" || fail "relay-$n exited during start-up (log: $(cluster_relay_log "$n"))"
            ((SECONDS < deadline)) || fail "relay-$n was not ready within $((READY_TIMEOUT * relays)) s"
            sleep 0.02
        done
    done
    leader=$(cluster_await_leader "$relays" 15) || fail "not exactly one leader within 15 s (leading: $leader)"
    startup_ms=$((($(micros) - started) / 1000))
    relay_pid=$(cluster_relay_pid "$leader")
    RELAY_LOG=$(cluster_relay_log "$leader")
    say "$relays relay(s) ready and relay-$leader leading after $startup_ms ms (pid $relay_pid)"
}

# Runs a benchmark program under a time limit (which only guards against the unforeseen: every step of the
# program has its own); sets bench_rc to its exit code. Usage: bench_run <seconds> <command...>
bench_run() {
    local limit=$1
    shift
    rm -f "$TABLE"
    timeout --kill-after=10 "$limit" "$@" &
    bench_pid=$!
    bench_rc=0
    wait "$bench_pid" || bench_rc=$?
    bench_pid=""
}

# Tears down before the table is printed, so that the table is the last thing on the screen.
bench_finish() {
    trap - EXIT
    teardown
    [[ -s $TABLE ]] || fail "no result table (exit code $bench_rc)"
    echo
    cat "$TABLE"
    ((bench_rc == 0)) || fail "the measurement ended with exit code $bench_rc; see its output above and $RELAY_LOG"
}
