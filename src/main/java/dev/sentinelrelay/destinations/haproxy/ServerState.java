package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.configuration.HostPort;

import java.util.Arrays;
import java.util.List;

/**
 * One server line of {@code show servers state}: where it points, whether an operator or the relay has taken
 * it out of service (admin state), and whether its health check lets it take traffic (operational state).
 */
public record ServerState(String backend, String server, String address, int port, int opState, int adminState) {

    /** srv_admin_state bits that stop traffic: every kind of maintenance (forced, inherited, config,
     * resolver, hostname) and drain. */
    private static final int NOT_SERVING = 0x7F;
    /** srv_op_state of a server that is up. */
    private static final int RUNNING = 2;

    /** Not in maintenance or drain. */
    public boolean serving() {
        return (adminState & NOT_SERVING) == 0;
    }

    /** Up as far as its health check (or a forced health state) is concerned. */
    public boolean running() {
        return opState == RUNNING;
    }

    public boolean at(HostPort address) {
        return this.address.equals(address.host()) && port == address.port();
    }

    /** True when this entry already sends traffic to {@code master}. */
    public boolean pointsAt(HostPort master) {
        return serving() && at(master);
    }

    /**
     * Parses the answer to {@code show servers state [backend]} (format version 1). Columns are located by the
     * header line, so columns added by newer HAProxy versions do not matter.
     */
    public static List<ServerState> parse(List<String> answer) {
        if (answer.isEmpty() || !answer.get(0).strip().equals("1")) {
            throw new IllegalArgumentException("unexpected 'show servers state' answer: "
                    + (answer.isEmpty() ? "(empty)" : answer.get(0)));
        }
        List<String> header = answer.stream().filter(l -> l.startsWith("# "))
                .findFirst()
                .map(l -> Arrays.asList(l.substring(2).strip().split("\\s+")))
                .orElseThrow(() -> new IllegalArgumentException("'show servers state' answer has no header"));
        int be = column(header, "be_name");
        int srv = column(header, "srv_name");
        int addr = column(header, "srv_addr");
        int port = column(header, "srv_port");
        int op = column(header, "srv_op_state");
        int admin = column(header, "srv_admin_state");
        return answer.stream().skip(1)
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.strip().split("\\s+"))
                .filter(f -> f.length == header.size())
                .map(f -> new ServerState(f[be], f[srv], f[addr], Integer.parseInt(f[port]), Integer.parseInt(f[op]),
                        Integer.parseInt(f[admin])))
                .toList();
    }

    private static int column(List<String> header, String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("'show servers state' header lacks " + name);
        }
        return i;
    }
}
