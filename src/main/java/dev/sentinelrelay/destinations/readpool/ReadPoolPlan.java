package dev.sentinelrelay.destinations.readpool;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.destinations.haproxy.RuntimeCommands;
import dev.sentinelrelay.destinations.haproxy.ServerState;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one HAProxy must change so its read backend serves exactly the read pool. Pure: from the pool and the
 * backend's servers as read back. Only servers whose admin state differs are touched, so an HAProxy in step gets
 * no command at all.
 *
 * @param commands the runtime API commands, servers going in before servers going out (the pool never empties
 *                 for a moment when one node replaces another); empty when in step
 * @param size     how many servers take reads once the commands are applied
 * @param missing  nodes the sentinels know that have no server in the backend (never added by guessing)
 * @param unknown  servers at an address no sentinel knows (kept out)
 */
public record ReadPoolPlan(List<String> commands, int size, List<HostPort> missing, List<String> unknown) {

    /** srv_admin_state bit of a server forced into maintenance (set server ... state maint). */
    private static final int FORCED_MAINT = 0x01;
    /** srv_admin_state bit of a server forced into drain (set server ... state drain). */
    private static final int FORCED_DRAIN = 0x08;

    public static ReadPoolPlan of(ReadPool pool, List<ServerState> servers) {
        String backend = pool.target().backend();
        boolean drain = pool.target().drain();
        List<String> ins = new ArrayList<>();
        List<String> outs = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        int size = 0;
        for (ServerState s : servers) {
            Optional<PoolMember> member = pool.member(s.address(), s.port());
            if (member.isEmpty()) {
                unknown.add(s.server() + " (" + s.address() + ":" + s.port() + ")");
            }
            if (member.isPresent() && member.get().in()) {
                size++;
                // only what 'state ready' clears: a server in maintenance by HAProxy's own config stays as it is
                if ((s.adminState() & (FORCED_MAINT | FORCED_DRAIN)) != 0) {
                    ins.add(RuntimeCommands.setState(backend, s.server(), true));
                }
            } else if (drain && !isDrained(s)) {
                outs.add(RuntimeCommands.drain(backend, s.server()));
            } else if (!drain && (s.adminState() & FORCED_MAINT) == 0) {
                outs.add(RuntimeCommands.setState(backend, s.server(), false));
                outs.add(RuntimeCommands.shutdownSessions(backend, s.server()));
            }
        }
        List<HostPort> missing = pool.members().stream().map(PoolMember::address)
                .filter(a -> servers.stream().noneMatch(s -> s.at(a))).toList();
        List<String> commands = new ArrayList<>(ins);
        commands.addAll(outs);
        return new ReadPoolPlan(List.copyOf(commands), size, missing, List.copyOf(unknown));
    }

    /** In drain and not in forced maintenance (drain lets current sessions finish; maint would not). */
    private static boolean isDrained(ServerState s) {
        return (s.adminState() & FORCED_DRAIN) != 0 && (s.adminState() & FORCED_MAINT) == 0;
    }
}
