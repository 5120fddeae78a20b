package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyTarget;

import java.util.List;

/**
 * How one HAProxy mode reads back and changes what HAProxy holds for one master. Pure: commands are computed
 * from a snapshot and a routing, and always bring HAProxy all the way to the routing (idempotent), so sending
 * them twice, late or after a drift is harmless.
 */
public sealed interface ModePlan permits AddrPlan, StatePlan, MapPlan {

    static ModePlan of(String master, HaproxyTarget target) {
        return switch (target.mode()) {
            case ADDR -> new AddrPlan(target);
            case STATE -> new StatePlan(target);
            case MAP -> new MapPlan(master, target);
        };
    }

    /** Commands whose answers {@link Snapshot#parse} reads. */
    List<String> readBack();

    /** False when {@link #commands} can be computed without a snapshot. */
    boolean needsSnapshot();

    /** True when HAProxy already holds the routing. Throws when the snapshot lacks what the mode needs. */
    boolean inStep(Snapshot snapshot, Routing routing);

    /** The commands that bring HAProxy to the routing. Throws when the snapshot lacks what the mode needs. */
    List<String> commands(Snapshot snapshot, Routing routing);
}
