package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyTarget;

import java.util.List;

/** addr mode: one server entry follows the master; fenced, it is put in maintenance. */
record AddrPlan(HaproxyTarget target) implements ModePlan {

    @Override
    public List<String> readBack() {
        return List.of(RuntimeCommands.showServersState(target.backend()));
    }

    @Override
    public boolean needsSnapshot() {
        return false;
    }

    @Override
    public boolean inStep(Snapshot snapshot, Routing routing) {
        ServerState entry = snapshot.server(target.backend(), target.server())
                .orElseThrow(() -> new IllegalStateException("HAProxy has no server " + target.backend() + "/" + target.server()));
        return routing.fenced() ? !entry.serving() : entry.pointsAt(routing.master());
    }

    @Override
    public List<String> commands(Snapshot snapshot, Routing routing) {
        String b = target.backend();
        String s = target.server();
        if (routing.fenced()) {
            return List.of(RuntimeCommands.setState(b, s, false), RuntimeCommands.shutdownSessions(b, s));
        }
        // sessions still open on the entry lead to the old master
        return List.of(RuntimeCommands.setAddr(b, s, routing.master()), RuntimeCommands.setState(b, s, true),
                RuntimeCommands.shutdownSessions(b, s));
    }
}
