package dev.sentinelrelay.destinations.readpool;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.destinations.DestinationTask;
import dev.sentinelrelay.destinations.Write;
import dev.sentinelrelay.destinations.haproxy.RuntimeCommands;

import java.util.List;

/**
 * Bring one HAProxy's read backend in step with one master's read pool.
 *
 * @param routing the master's routing that asked for it
 * @param pool    who serves reads, decided when the task's turn comes; null before
 * @param plan    what to change, once the backend was read back; null before
 */
public record ReadPoolTask(HaproxyEndpoint endpoint, Routing routing, ReadPool pool, ReadPoolPlan plan)
        implements DestinationTask {

    /** Every HAProxy's read backends have a queue of their own. */
    @Override
    public String queue() {
        return queueOf(endpoint);
    }

    @Override
    public String key() {
        return endpoint.id() + "/" + routing.name();
    }

    @Override
    public String destination() {
        return queue();
    }

    /** Always read back: the plan changes only the servers whose admin state differs. */
    @Override
    public boolean readBack() {
        return true;
    }

    @Override
    public Write write() {
        return plan == null || !plan.commands().isEmpty() ? Write.FULL : Write.NONE;
    }

    String readBackCommand() {
        return RuntimeCommands.line(List.of(RuntimeCommands.showServersState(pool.target().backend())));
    }

    String commandLine() {
        return RuntimeCommands.line(plan.commands());
    }

    public static String queueOf(HaproxyEndpoint endpoint) {
        return "read-pool-" + endpoint.id();
    }

    @Override
    public String toString() {
        return endpoint.id() + " (" + endpoint + ") read backend "
                + (pool == null ? "" : pool.target().backend() + " ") + "of " + routing.name();
    }
}
