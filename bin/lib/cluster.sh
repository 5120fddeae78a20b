# Relays of one cluster on a sandbox started with ZooKeeper (bin/sandbox up --zookeeper 1|3), for bin/demo ha and
# the benchmarks (sourced, not run; bin/lib/common.sh first). Relay n runs from $SANDBOX_DIR/relay-n/ (relay.properties,
# relay.log, data/) with its pid in $SANDBOX_DIR/pids/relay-n.pid, so bin/sandbox down stops it by PID.
# The sourcing script has sourced $SANDBOX_DIR/sandbox.env and runs from the repository root (routes/ is read from
# the working directory).
# shellcheck shell=bash

# Short, so that a demo or a benchmark round does not wait long for a dead leader's session to expire; the sandbox's
# ZooKeeper allows 1 s and more (config/zookeeper/loopback.cfg).
CLUSTER_SESSION_TIMEOUT=${CLUSTER_SESSION_TIMEOUT:-2s}

cluster_relay_dir() { echo "$SANDBOX_DIR/relay-$1"; }
cluster_relay_log() { echo "$SANDBOX_DIR/relay-$1/relay.log"; }
cluster_relay_pid() { cat "$SANDBOX_DIR/pids/relay-$1.pid"; }
# the last relay.api.port line: the relay's own, after the sandbox's (the last one wins, as when the relay reads it)
cluster_api_port() { sed -n 's/^relay\.api\.port = //p' "$SANDBOX_DIR/relay-$1/relay.properties" | tail -n 1; }

# Writes relay n's configuration: the sandbox's relay.properties and cluster.properties, then what is this relay's
# own (a later key wins in a properties file): its instance id relay-n, API port $2 and data dir. A fresh log.
cluster_configure_relay() {
    local n=$1 port=$2 dir
    dir=$(cluster_relay_dir "$n")
    rm -rf "$dir"
    mkdir -p "$dir/data"
    {
        cat "$SANDBOX_DIR/relay.properties" "$SANDBOX_DIR/cluster.properties"
        echo "# relay-$n of the cluster, written by ${0##*/}"
        echo "relay.cluster.instance = relay-$n"
        echo "relay.cluster.session-timeout = $CLUSTER_SESSION_TIMEOUT"
        echo "relay.api.port = $port"
        echo "relay.data.dir = $dir/data"
    } >"$dir/relay.properties"
    : >"$dir/relay.log"
}

# Starts relay n from the jar $2 in the background (nohup: it may outlive the calling script), its output appended to
# its log; its PID goes to its pid file (and is $!).
cluster_start_relay() {
    local n=$1 jar=$2 dir
    dir=$(cluster_relay_dir "$n")
    nohup java @config/jvm.options -Drelay.config="$dir/relay.properties" -jar "$jar" >>"$dir/relay.log" 2>&1 </dev/null &
    echo "$!" >"$SANDBOX_DIR/pids/relay-$n.pid"
    # no "Killed" notice from bash when a demo or a benchmark kills it on purpose
    disown "$!"
}

# The HTTP status code of GET http://127.0.0.1:$1$2, then the body; HTTP/1.0, so the reply is never chunked.
# Bash's /dev/tcp, so neither curl nor a process per request is needed.
http_get() {
    local port=$1 path=$2 status="" line
    { exec 4<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&4
    if read -r -t 2 _ status _ <&4; then
        echo "$status"
        while read -r -t 2 line <&4 && [[ $line != $'\r' && -n $line ]]; do :; done # headers
        # the body: its last line may lack a newline
        while IFS= read -r -t 2 line <&4 || [[ -n $line ]]; do echo "$line"; done
    fi
    exec 4<&- 4>&-
    [[ -n $status ]]
}

# Relay n's GET /api/cluster on one line, without the blanks around JSON's punctuation (the relay pretty-prints).
cluster_json() {
    http_get "$(cluster_api_port "$1")" /api/cluster | tail -n +2 | tr -d '\n' |
        sed -E 's/[[:space:]]*([][{}:,])[[:space:]]*/\1/g'
}

# One string field of a JSON object from cluster_json, the first with that name (enough for /api/cluster's "role",
# and for "instance" of the leader once what comes before "leader" is cut off).
json_field() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | sed 's/^.*:"\(.*\)"$/\1/'; }

# True when relay n answers 200 on /health/ready (it follows the sentinels and knows the master).
cluster_relay_ready() { [[ $(http_get "$(cluster_api_port "$1")" /health/ready | head -n 1) == 200 ]]; }

# Waits up to $2 seconds until relay n is ready; fails (return 1) at once if it exited.
cluster_await_ready() {
    local n=$1 deadline=$((SECONDS + $2)) pid
    pid=$(cluster_relay_pid "$n")
    until cluster_relay_ready "$n"; do
        alive "$pid" || return 1
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

# The numbers of the running relays (1..$1) whose /health/leader answers 200, space-separated.
cluster_leaders() {
    local n leading=()
    for n in $(seq "$1"); do
        alive "$(cluster_relay_pid "$n")" || continue
        [[ $(http_get "$(cluster_api_port "$n")" /health/leader 2>/dev/null | head -n 1) == 200 ]] && leading+=("$n")
    done
    echo "${leading[*]}"
}

# Waits up to $2 seconds until exactly one of the running relays 1..$1 answers 200 on /health/leader and prints its
# number; else prints the relays answering 200 at the last try (none, or several) and returns 1.
cluster_await_leader() {
    local deadline=$((SECONDS + $2)) leaders=""
    while ((SECONDS < deadline)); do
        leaders=$(cluster_leaders "$1")
        [[ -n $leaders && $leaders != *" "* ]] && { echo "$leaders"; return 0; }
        sleep 0.1
    done
    echo "${leaders:-none}"
    return 1
}
