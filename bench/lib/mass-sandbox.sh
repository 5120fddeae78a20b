# A sandbox of many masters for bench/mass-failover (sourced after bench/lib/bench.sh, not run): $MASTERS masters
# master-1..N with one replica each, three sentinels monitoring all of them (quorum 2), and $HAPROXIES HAProxies in
# addr mode, each with one frontend, backend and server entry per master, cut from config/haproxy/addr.cfg; the servers
# configured as the sandbox definition says (config/sandbox/README.md).
# Everything on loopback, free ports, state in $SANDBOX_DIR; every process has its pid file in $SANDBOX_DIR/pids, so
# that bin/sandbox down stops it by PID. Writes:
#   sandbox.env        SENTINEL_PORTS, API_PORT, RELAY_CONFIG, MASTERS_FILE, ADMIN_SOCKETS (the HAProxies' runtime API unix
#                      sockets, for the benchmark), ADMIN_SOCKET(_TMPDIR) (for bin/sandbox down)
#   masters.tsv        per master: name, its two Redis ports (the first starts as master), its frontend ports (one per
#                      HAProxy, comma-separated); the Redis server on port P is redis-P (pids/redis-P.pid)
#   relay.properties   the relay's configuration for all of it
# It only starts the processes: bench/MassFailover.java settle waits until the sentinels and HAProxies are ready.
# shellcheck shell=bash

MASS_HAPROXY_CFG=$REPO/config/haproxy/addr.cfg
mass_master_name() { echo "master-$1"; }

# Picks a free port and appends it to mass_ports (not echoed: a $(...) subshell would lose what was picked).
mass_ports=()
mass_pick_port() {
    local port
    port=$(free_port "${mass_ports[@]}") || fail "no free port found in 20000-31999"
    mass_ports+=("$port")
}

# The HAProxy config for HAProxy $1: addr.cfg's global and defaults sections, then addr.cfg's frontend and backend
# once per master, renamed, with the frontend's address and the master's initial address filled in. Reads the
# arrays set by mass_sandbox_up.
mass_haproxy_cfg() {
    local h=$1 i name
    sed '/^frontend /,$d' "$MASS_HAPROXY_CFG"
    for i in $(seq "$MASTERS"); do
        name=$(mass_master_name "$i")
        # shellcheck disable=SC2016 # ${FRONTEND_ADDR} and ${INITIAL_MASTER} are addr.cfg's text, replaced here
        sed -n '/^frontend /,$p' "$MASS_HAPROXY_CFG" |
            sed -e "s/redis_mymaster/redis_$name/g" \
                -e "s/\"\${FRONTEND_ADDR}\"/127.0.0.1:${mass_frontend_ports[(h - 1) * MASTERS + i - 1]}/" \
                -e "s/\"\${INITIAL_MASTER}\"/127.0.0.1:${mass_redis_ports[2 * (i - 1)]}/"
    done
}

# BENCH_SANDBOX_UP of bench/lib/bench.sh.
mass_sandbox_up() {
    local i h port name
    # an earlier run's servers, on other ports (bench_sandbox_up stopped them)
    rm -rf "$SANDBOX_DIR"/logs "$SANDBOX_DIR"/redis-* "$SANDBOX_DIR"/sentinel-* "$SANDBOX_DIR"/sockets
    mkdir -p "$SANDBOX_DIR/pids" "$SANDBOX_DIR/logs"
    "$REPO/bin/install-servers"
    say "picking $((2 * MASTERS + 3 + MASTERS * HAPROXIES + HAPROXIES + 1)) free ports"
    for i in $(seq $((2 * MASTERS))); do mass_pick_port; done
    mass_redis_ports=("${mass_ports[@]}")
    for i in 1 2 3; do mass_pick_port; done
    mass_sentinel_ports=("${mass_ports[@]: -3}")
    for i in $(seq $((MASTERS * HAPROXIES))); do mass_pick_port; done
    mass_frontend_ports=("${mass_ports[@]: -$((MASTERS * HAPROXIES))}")
    for i in $(seq "$HAPROXIES"); do mass_pick_port; done
    mass_admin_ports=("${mass_ports[@]: -$HAPROXIES}")
    mass_pick_port
    local api_port=${mass_ports[-1]}

    # A unix socket path must fit sun_path (108 bytes) and HAProxy binds a temporary "<path>.<pid>.tmp" first: a deep
    # SANDBOX_DIR gets a short directory under /tmp, removed by bin/sandbox down.
    local socket_dir=$SANDBOX_DIR/sockets socket_tmpdir=""
    if ((${#socket_dir} > 80)); then
        socket_tmpdir=$(mktemp -d /tmp/mass-sandbox.XXXXXX)
        socket_dir=$socket_tmpdir
    fi
    mkdir -p "$socket_dir"
    cat >"$SANDBOX_DIR/sandbox.env" <<EOF
# Written by bench/lib/mass-sandbox.sh; removed by bin/sandbox down.
SANDBOX_DIR="$SANDBOX_DIR"
SENTINEL_PORTS="${mass_sentinel_ports[*]}"
API_PORT=$api_port
RELAY_CONFIG="$SANDBOX_DIR/relay.properties"
MASTERS_FILE="$SANDBOX_DIR/masters.tsv"
ADMIN_SOCKETS="$(for h in $(seq "$HAPROXIES"); do echo "$socket_dir/haproxy-$h.sock"; done | paste -sd, -)"
ADMIN_SOCKET="$socket_dir/haproxy-1.sock"
ADMIN_SOCKET_TMPDIR="$socket_tmpdir"
EOF

    say "$MASTERS masters with a replica each on ports ${mass_redis_ports[0]}..., sentinels ${mass_sentinel_ports[*]}"
    : >"$SANDBOX_DIR/masters.tsv"
    for i in $(seq "$MASTERS"); do
        local master=${mass_redis_ports[2 * (i - 1)]} replica=${mass_redis_ports[2 * (i - 1) + 1]} frontends=()
        start_redis "redis-$master" "$master"
        start_redis "redis-$replica" "$replica" --replicaof 127.0.0.1 "$master"
        for h in $(seq "$HAPROXIES"); do frontends+=("${mass_frontend_ports[(h - 1) * MASTERS + i - 1]}"); done
        printf '%s\t%s\t%s\t%s\n' "$(mass_master_name "$i")" "$master" "$replica" \
            "$(IFS=,; echo "${frontends[*]}")" >>"$SANDBOX_DIR/masters.tsv"
    done
    local monitored=()
    for i in $(seq "$MASTERS"); do monitored+=("$(mass_master_name "$i")=${mass_redis_ports[2 * (i - 1)]}"); done
    for port in "${mass_sentinel_ports[@]}"; do start_sentinel "sentinel-$port" "$port" "${monitored[@]}"; done

    local endpoints=()
    for h in $(seq "$HAPROXIES"); do
        local cfg=$SANDBOX_DIR/haproxy-$h.cfg
        mass_haproxy_cfg "$h" >"$cfg"
        ADMIN_SOCKET=$socket_dir/haproxy-$h.sock ADMIN_ADDR=127.0.0.1:${mass_admin_ports[h - 1]} \
            haproxy -c -q -f "$cfg" || fail "haproxy -c -f $cfg failed"
        ADMIN_SOCKET=$socket_dir/haproxy-$h.sock ADMIN_ADDR=127.0.0.1:${mass_admin_ports[h - 1]} \
            haproxy -D -p "$SANDBOX_DIR/pids/haproxy-$h.pid" -f "$cfg" >>"$SANDBOX_DIR/logs/haproxy-$h.log" 2>&1 ||
            fail "haproxy $h did not start: $(tail -n 5 "$SANDBOX_DIR/logs/haproxy-$h.log")"
        endpoints+=("unix:$socket_dir/haproxy-$h.sock")
    done
    say "$HAPROXIES HAProxy(s), runtime API ${endpoints[*]}, frontends in $SANDBOX_DIR/masters.tsv"

    {
        echo "# Written by bench/lib/mass-sandbox.sh for the sandbox in $SANDBOX_DIR."
        echo "relay.sentinels = $(printf '127.0.0.1:%s\n' "${mass_sentinel_ports[@]}" | paste -sd, -)"
        echo "relay.masters = $(cut -f1 "$SANDBOX_DIR/masters.tsv" | paste -sd, -)"
        echo "relay.haproxy.endpoints = $(IFS=,; echo "${endpoints[*]}")"
        for i in $(seq "$MASTERS"); do
            name=$(mass_master_name "$i")
            echo "relay.haproxy.$name.backend = redis_$name"
            echo "relay.haproxy.$name.server = master"
        done
        echo "relay.reconcile.interval = 10s"
        echo "relay.api.host = 127.0.0.1"
        echo "relay.api.port = $api_port"
        echo "relay.data.dir = $SANDBOX_DIR/data"
    } >"$SANDBOX_DIR/relay.properties"
}

# Starts every Redis server of the sandbox that is not running (the masters killed by the benchmark) again, as a
# replica of the master the sentinels name now for its master, as a crashed server comes back once reconfigured.
mass_restart_killed() {
    local name a b _ port pid master restarted=0
    while IFS=$'\t' read -r name a b _; do
        for port in "$a" "$b"; do
            pid=$(cat "$SANDBOX_DIR/pids/redis-$port.pid" 2>/dev/null) || pid=""
            [[ -n $pid ]] && alive "$pid" && continue
            master=$(rcli -p "${mass_sentinel_ports[0]}" SENTINEL get-master-addr-by-name "$name" | sed -n 2p)
            [[ -n $master && $master != "$port" ]] || fail "no new master known for $name (redis-$port is down)"
            start_redis "redis-$port" "$port" --replicaof 127.0.0.1 "$master"
            restarted=$((restarted + 1))
        done
    done <"$SANDBOX_DIR/masters.tsv"
    say "restarted $restarted killed Redis server(s) as replicas of the new masters"
}
