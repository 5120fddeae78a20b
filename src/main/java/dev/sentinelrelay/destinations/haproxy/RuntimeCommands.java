package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Builds HAProxy runtime API commands. The runtime API treats {@code ;} and newlines as command separators, so
 * every value is checked against a strict pattern here, whatever validated it before: a value that does not
 * match throws before any command text exists.
 */
public final class RuntimeCommands {

    private static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}");

    private RuntimeCommands() {
    }

    /** Several commands in one round trip; HAProxy answers each in turn. */
    public static String line(List<String> commands) {
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("no runtime API command to send");
        }
        return String.join("; ", commands) + "\n";
    }

    public static String setAddr(String backend, String server, HostPort address) {
        if (!HostPort.isIpLiteral(address.host())) {
            throw new IllegalArgumentException("HAProxy needs an IP address, not '" + address.host() + "'");
        }
        String port = String.valueOf(address.port());
        if (!PORT.matcher(port).matches() || address.port() > 65535) {
            throw new IllegalArgumentException("invalid port " + port);
        }
        return "set server " + server(backend, server) + " addr " + address.host() + " port " + port;
    }

    /** Admin state: {@code ready} lets the server take traffic, {@code maint} stops it. */
    public static String setState(String backend, String server, boolean ready) {
        return "set server " + server(backend, server) + " state " + (ready ? "ready" : "maint");
    }

    /** Admin state drain: no new sessions (except persistent ones), the current ones finish. */
    public static String drain(String backend, String server) {
        return "set server " + server(backend, server) + " state drain";
    }

    /** Marks the server up at once instead of after its next health check (a freshly promoted master). */
    public static String healthUp(String backend, String server) {
        return "set server " + server(backend, server) + " health up";
    }

    /** Closes every client session the server still carries (they lead to a server that is no longer the master). */
    public static String shutdownSessions(String backend, String server) {
        return "shutdown sessions server " + server(backend, server);
    }

    /** Every server of {@code backend}, or of every backend when {@code backend} is null. */
    public static String showServersState(String backend) {
        return backend == null ? "show servers state" : "show servers state " + name(backend);
    }

    public static String showMap(String mapFile) {
        return "show map " + mapFile(mapFile);
    }

    /** Changes an existing map entry; {@code add} creates a missing one (adding an existing key duplicates it). */
    public static String setMap(String mapFile, String key, String value, boolean add) {
        return (add ? "add map " : "set map ") + mapFile(mapFile) + " " + name(key) + " " + name(value);
    }

    private static String server(String backend, String server) {
        return name(backend) + "/" + name(server);
    }

    private static String name(String value) {
        if (value == null || !RelayConfig.HAPROXY_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("unsafe HAProxy name '" + value + "'");
        }
        return value;
    }

    private static String mapFile(String path) {
        if (path == null || !RelayConfig.MAP_FILE.matcher(path).matches()) {
            throw new IllegalArgumentException("unsafe map file '" + path + "'");
        }
        return path;
    }
}
