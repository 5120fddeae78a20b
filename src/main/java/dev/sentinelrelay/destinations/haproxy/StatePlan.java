package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyTarget;

import java.util.ArrayList;
import java.util.List;

/**
 * state mode: the backend lists every node of the group. The master's server is ready (and forced up, not
 * waiting for its next health check); every other server is in maintenance with its sessions cut, so a returning
 * old master that passes a {@code role:master} check still gets no traffic. Fenced: every server in maintenance.
 */
record StatePlan(HaproxyTarget target) implements ModePlan {

    @Override
    public List<String> readBack() {
        return List.of(RuntimeCommands.showServersState(target.backend()));
    }

    @Override
    public boolean needsSnapshot() {
        return true;
    }

    @Override
    public boolean inStep(Snapshot snapshot, Routing routing) {
        List<ServerState> servers = snapshot.backend(target.backend());
        ServerState master = routing.fenced() ? null : masterServer(servers, routing);
        return servers.stream().allMatch(s -> s == master ? s.serving() && s.running() : !s.serving());
    }

    @Override
    public List<String> commands(Snapshot snapshot, Routing routing) {
        List<ServerState> servers = snapshot.backend(target.backend());
        ServerState master = routing.fenced() ? null : masterServer(servers, routing);
        List<String> commands = new ArrayList<>();
        String b = target.backend();
        // every other server out first: readying the master first would let both take traffic for a moment
        for (ServerState s : servers) {
            if (s != master) {
                commands.add(RuntimeCommands.setState(b, s.server(), false));
                commands.add(RuntimeCommands.shutdownSessions(b, s.server()));
            }
        }
        if (master != null) {
            commands.add(RuntimeCommands.setState(b, master.server(), true));
            commands.add(RuntimeCommands.healthUp(b, master.server()));
        }
        return commands;
    }

    private ServerState masterServer(List<ServerState> servers, Routing routing) {
        if (servers.isEmpty()) {
            throw new IllegalStateException("HAProxy has no backend " + target.backend() + " or it has no servers");
        }
        return servers.stream().filter(s -> s.at(routing.master())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no server of backend " + target.backend()
                        + " has the master's address " + routing.master()));
    }
}
