# Shell helpers shared by bin/sandbox, bin/demo and bench/failover-latency (sourced, not run).

# Alive = the PID exists and is not a zombie (a child that exited but was not reaped yet).
alive() {
    local pid=$1 state
    [[ -r /proc/$pid/stat ]] || return 1
    state=$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1) || return 1
    [[ $state != Z ]]
}

# redis-cli on loopback with a hard time limit, so a stopped or wedged server never hangs a loop.
rcli() { timeout 3 redis-cli -h 127.0.0.1 "$@" | tr -d '\r'; }
