package dev.sentinelrelay.haproxy;

import dev.sentinelrelay.configuration.HostPort;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One server line of {@code show servers state}: where it points and whether an operator or the relay
 * has taken it out of service.
 */
public record ServerState(String backend, String server, String address, int port, int adminState) {

    /** srv_admin_state bits that stop traffic: every kind of maintenance (forced, inherited, config,
     * resolver, hostname) and drain. */
    private static final int NOT_SERVING = 0x7F;

    public boolean serving() {
        return (adminState & NOT_SERVING) == 0;
    }

    /** True when this entry already sends traffic to {@code master}. */
    public boolean pointsAt(HostPort master) {
        return serving() && address.equals(master.host()) && port == master.port();
    }

    /**
     * Parses the reply of {@code show servers state <backend>} (format version 1) and returns the named server.
     * Columns are located by the header line, so added columns in newer HAProxy versions do not matter.
     */
    public static Optional<ServerState> find(String reply, String backend, String server) {
        List<String> lines = reply.lines().toList();
        if (lines.isEmpty() || !lines.get(0).strip().equals("1")) {
            throw new IllegalArgumentException("unexpected 'show servers state' reply: " + firstLine(reply));
        }
        List<String> header = lines.stream().filter(l -> l.startsWith("# "))
                .findFirst()
                .map(l -> Arrays.asList(l.substring(2).strip().split("\\s+")))
                .orElseThrow(() -> new IllegalArgumentException("'show servers state' reply has no header"));
        int be = column(header, "be_name");
        int srv = column(header, "srv_name");
        int addr = column(header, "srv_addr");
        int port = column(header, "srv_port");
        int admin = column(header, "srv_admin_state");
        return lines.stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#") && !l.strip().equals("1"))
                .map(l -> l.strip().split("\\s+"))
                .filter(f -> f.length == header.size() && f[be].equals(backend) && f[srv].equals(server))
                .findFirst()
                .map(f -> new ServerState(f[be], f[srv], f[addr], Integer.parseInt(f[port]), Integer.parseInt(f[admin])));
    }

    private static int column(List<String> header, String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("'show servers state' header lacks " + name);
        }
        return i;
    }

    private static String firstLine(String reply) {
        return reply.lines().findFirst().orElse("(empty)");
    }
}
