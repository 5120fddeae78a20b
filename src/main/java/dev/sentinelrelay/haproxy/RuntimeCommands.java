package dev.sentinelrelay.haproxy;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayConfig.HaproxyTarget;

/**
 * Builds HAProxy runtime API command lines. The runtime API treats {@code ;} and newlines as command
 * separators, so every value is checked against a strict pattern here, whatever validated it before.
 */
public final class RuntimeCommands {

    private RuntimeCommands() {
    }

    /**
     * Points the server entry at {@code master}, makes sure it takes traffic, and cuts the sessions still
     * open on it (they lead to the old master), all in one round trip.
     */
    public static String pointAt(HaproxyTarget target, HostPort master) {
        String server = serverRef(target);
        if (!HostPort.isIpLiteral(master.host())) {
            throw new IllegalArgumentException("HAProxy needs an IP address, not '" + master.host() + "'");
        }
        return "set server " + server + " addr " + master.host() + " port " + master.port()
                + "; set server " + server + " state ready"
                + "; shutdown sessions server " + server + "\n";
    }

    /** Reads back the address and admin state of every server of the backend. */
    public static String showServersState(String backend) {
        return "show servers state " + name(backend) + "\n";
    }

    private static String serverRef(HaproxyTarget target) {
        return name(target.backend()) + "/" + name(target.server());
    }

    private static String name(String value) {
        if (value == null || !RelayConfig.HAPROXY_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("unsafe HAProxy name '" + value + "'");
        }
        return value;
    }
}
