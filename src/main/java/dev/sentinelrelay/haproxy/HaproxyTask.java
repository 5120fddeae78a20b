package dev.sentinelrelay.haproxy;

import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyTarget;
import dev.sentinelrelay.sentinel.Verdict;

/**
 * Bring one HAProxy endpoint's server entry for one master in step with a verified master.
 *
 * @param readBack read what HAProxy holds first (reconcile, or the relay does not know) instead of writing blindly
 */
public record HaproxyTask(HaproxyEndpoint endpoint, HaproxyTarget target, Verdict verdict, boolean readBack,
                          long timeoutMillis) {

    public String nettyUri() {
        return endpoint.nettyUri(timeoutMillis);
    }

    public String showStateCommand() {
        return RuntimeCommands.showServersState(target.backend());
    }

    public String pointAtCommand() {
        return RuntimeCommands.pointAt(target, verdict.master());
    }

    /** Identifies the entry across tasks: one endpoint, one master. */
    String key() {
        return key(endpoint, verdict.name());
    }

    static String key(HaproxyEndpoint endpoint, String master) {
        return endpoint.id() + "/" + master;
    }

    @Override
    public String toString() {
        return endpoint.id() + " (" + endpoint + ") " + target.backend() + "/" + target.server() + " for " + verdict.name();
    }
}
