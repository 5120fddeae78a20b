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

# Where a server listens, as redis.conf directives ("name value" lines): the port, or in a TLS sandbox
# (SANDBOX_TLS_DIR set: bin/sandbox up --tls) the TLS port only, with its certificates there.
listen_directives() {
    if [[ -z ${SANDBOX_TLS_DIR:-} ]]; then
        echo "port $1"
        return
    fi
    local d=$SANDBOX_TLS_DIR
    printf '%s\n' "port 0" "tls-port $1" "tls-cert-file $d/server.crt" "tls-key-file $d/server.key" \
        "tls-ca-cert-file $d/ca.crt" "tls-auth-clients yes" "tls-replication yes"
}

# Starts redis-server <name> on loopback port $2 as a daemon, no persistence, extra arguments after the port
# (e.g. --replicaof 127.0.0.1 <port>); its dir, log and pid file ($SANDBOX_DIR/pids/<name>.pid) in $SANDBOX_DIR.
start_redis() {
    local name=$1 port=$2 directive
    local listen=()
    shift 2
    while read -r directive; do listen+=("--${directive%% *}" "${directive#* }"); done < <(listen_directives "$port")
    mkdir -p "$SANDBOX_DIR/$name"
    redis-server "${listen[@]}" --bind 127.0.0.1 --dir "$SANDBOX_DIR/$name" \
        --daemonize yes --pidfile "$SANDBOX_DIR/pids/$name.pid" --logfile "$SANDBOX_DIR/logs/$name.log" \
        --save "" --appendonly no "$@"
}
