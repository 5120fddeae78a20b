package dev.sentinelrelay.readpool;

import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.haproxy.RuntimeCommands;

/**
 * Bring one HAProxy's read backend in step with one master's read pool.
 *
 * @param plan what to change, once the backend was read back; null before
 */
public record ReadPoolTask(HaproxyEndpoint endpoint, ReadPool pool, ReadPoolPlan plan) {

    public String readBackCommand() {
        return RuntimeCommands.line(java.util.List.of(RuntimeCommands.showServersState(pool.target().backend())));
    }

    /** True when the read-back found servers to change. */
    public boolean changes() {
        return plan != null && !plan.commands().isEmpty();
    }

    public String commandLine() {
        return RuntimeCommands.line(plan.commands());
    }

    String key() {
        return endpoint.id() + "/" + pool.master();
    }

    @Override
    public String toString() {
        return endpoint.id() + " (" + endpoint + ") read backend " + pool.target().backend() + " of " + pool.master();
    }
}
