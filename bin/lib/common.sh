# Shell helpers shared by bin/sandbox, bin/demo and the benchmarks (sourced, not run).
# shellcheck shell=bash

# Alive = the PID exists and is not a zombie (a child that exited but was not reaped yet).
alive() {
    local pid=$1 state
    [[ -r /proc/$pid/stat ]] || return 1
    state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [[ $state != Z ]]
}

# redis-cli on loopback with a hard time limit, so a stopped or wedged server never hangs a loop. Over TLS with the
# sandbox's client certificate when SANDBOX_TLS_DIR is set (bin/sandbox up --tls); HAProxy's frontend stays plain TCP.
rcli() {
    local tls_args=()
    [[ -z ${SANDBOX_TLS_DIR:-} ]] ||
        tls_args=(--tls --cacert "$SANDBOX_TLS_DIR/ca.crt" --cert "$SANDBOX_TLS_DIR/client.crt" --key "$SANDBOX_TLS_DIR/client.key")
    timeout 3 redis-cli -h 127.0.0.1 "${tls_args[@]}" "$@" | tr -d '\r'
}
# redis-cli to HAProxy's frontend: plain TCP, also in a TLS sandbox.
fcli() { SANDBOX_TLS_DIR="" rcli "$@"; }

# Prints a free loopback port below the kernel's ephemeral range (32768+, so an outgoing connection cannot hold it
# by chance), none of "$@" (ports picked already but not listening yet); returns 1 if none is found.
free_port() {
    local port _
    for _ in $(seq 200); do
        port=$((20000 + RANDOM % 12000))
        [[ " $* " == *" $port "* ]] && continue
        # a connection that succeeds means something listens there
        # shellcheck disable=SC2016 # $1 is the inner shell's argument
        timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null || { echo "$port"; return 0; }
    done
    return 1
}

# The sandbox definition (config/sandbox/README.md): the fragments every sandbox's servers are configured from.
SANDBOX_CONFIG=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../config/sandbox" && pwd)

# Prints fragments of the sandbox definition one after the other, each ${NAME} replaced by its value; fails on a
# placeholder left without one. As the tests' SandboxDefinition.render does (SandboxDefinitionTest compares them).
# Usage: sandbox_render NAME=value... fragment...
sandbox_render() {
    local -A values=()
    local text="" name fragment
    while [[ ${1:-} =~ ^[A-Z_]+= ]]; do
        values[${1%%=*}]=${1#*=}
        shift
    done
    for fragment in "$@"; do text+=$(<"$SANDBOX_CONFIG/$fragment")$'\n'; done
    # the value quoted: bash 5.2 would read an & in it as the matched text
    for name in "${!values[@]}"; do text=${text//"\${$name}"/"${values[$name]}"}; done
    if [[ $text =~ \$\{[A-Z_]+\} ]]; then
        echo "sandbox_render: no value for ${BASH_REMATCH[0]} in $*" >&2
        return 1
    fi
    printf '%s' "$text"
}

# The configuration of the sandbox's server $1 (its dir, pid file and log named after it) on port $2: where it
# listens (TLS only in a TLS sandbox: SANDBOX_TLS_DIR set by bin/sandbox up --tls, its server certificate on every
# side), then the fragments $3..., in the background.
sandbox_server_conf() {
    local name=$1 port=$2 d=${SANDBOX_TLS_DIR:-} listen=listen.conf
    shift 2
    [[ -z $d ]] || listen=listen-tls.conf
    sandbox_render PORT="$port" DIR="$SANDBOX_DIR/$name" PIDFILE="$SANDBOX_DIR/pids/$name.pid" \
        LOGFILE="$SANDBOX_DIR/logs/$name.log" TLS_CERT_FILE="$d/server.crt" TLS_KEY_FILE="$d/server.key" \
        TLS_CLIENT_CERT_FILE="$d/server.crt" TLS_CLIENT_KEY_FILE="$d/server.key" TLS_CA_FILE="$d/ca.crt" \
        "$listen" "$@" daemon.conf
}

# Starts redis-server <name> on loopback port $2 from the sandbox definition, extra arguments after it (e.g.
# --replicaof 127.0.0.1 <port>); its configuration in $SANDBOX_DIR/<name>/redis.conf, read on stdin (see
# config/sandbox/README.md), its pid file in $SANDBOX_DIR/pids/<name>.pid.
start_redis() {
    local name=$1 port=$2 conf=$SANDBOX_DIR/$1/redis.conf
    shift 2
    mkdir -p "$SANDBOX_DIR/$name"
    sandbox_server_conf "$name" "$port" redis.conf >"$conf"
    # stdout: the lines it logs before it reads its logfile ("Reading config from stdin"); errors go to stderr
    redis-server - "$@" <"$conf" >/dev/null
}

# Starts redis-sentinel <name> on loopback port $2 from the sandbox definition, monitoring every <master>=<port> of
# "$@" (the port where it starts as master).
start_sentinel() {
    local name=$1 port=$2 conf=$SANDBOX_DIR/$1/sentinel.conf master
    shift 2
    mkdir -p "$SANDBOX_DIR/$name"
    # A fresh file every time: Sentinel rewrites it with what it learns (ids, replicas, other sentinels), which must
    # not leak from an earlier run with other ports.
    {
        sandbox_server_conf "$name" "$port" sentinel.conf
        for master in "$@"; do sandbox_render MASTER="${master%=*}" MASTER_PORT="${master##*=}" sentinel-master.conf; done
    } >"$conf"
    redis-sentinel "$conf"
}
