package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyTarget;

import java.util.ArrayList;
import java.util.List;

/**
 * map mode: one backend per node; the map entry keyed by the master name names the master's backend (fenced:
 * the reject backend). Sessions on every other backend of the group are cut: they lead to a former master.
 */
record MapPlan(String master, HaproxyTarget target) implements ModePlan {

    @Override
    public List<String> readBack() {
        return List.of(RuntimeCommands.showServersState(null), RuntimeCommands.showMap(target.mapFile()));
    }

    @Override
    public boolean needsSnapshot() {
        return true;
    }

    @Override
    public boolean inStep(Snapshot snapshot, Routing routing) {
        return value(snapshot, routing).equals(snapshot.mapEntries().get(master));
    }

    @Override
    public List<String> commands(Snapshot snapshot, Routing routing) {
        String value = value(snapshot, routing);
        List<String> commands = new ArrayList<>();
        commands.add(RuntimeCommands.setMap(target.mapFile(), master, value, !snapshot.mapEntries().containsKey(master)));
        for (String backend : target.backends()) {
            if (!backend.equals(value)) {
                snapshot.backend(backend).forEach(s -> commands.add(RuntimeCommands.shutdownSessions(backend, s.server())));
            }
        }
        return commands;
    }

    /** The backend the map entry must name. */
    String value(Snapshot snapshot, Routing routing) {
        if (routing.fenced()) {
            return target.rejectBackend();
        }
        return target.backends().stream()
                .filter(b -> snapshot.backend(b).stream().anyMatch(s -> s.at(routing.master())))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("none of the backends " + target.backends()
                        + " has a server at the master's address " + routing.master()));
    }
}
