package dev.sentinelrelay.destinations.haproxy;

/** Runtime API answers in the exact text HAProxy 2.6 sends (recorded from a real runtime API). */
public final class HaproxyReplies {

    static final String HEADER = "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight "
            + "srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state "
            + "srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port "
            + "srv_check_addr srv_agent_addr srv_agent_port\n";

    /** {@code show servers state st}: node1 down and in forced maintenance, node2 running and ready. */
    static final String STATE_ST = "1\n" + HEADER
            + "6 st 1 node1 127.0.0.1 0 1 1 1 3 8 2 0 14 0 0 0 - 6379 - 0 0 - - 0\n"
            + "6 st 2 node2 127.0.0.1 2 0 1 1 0 8 2 4 6 0 0 0 - 6380 - 0 0 - - 0\n"
            + "\n";

    /** {@code show map /tmp/hx/m.map}. */
    static final String MAP = "0x560862355390 mymaster redis_node1\n\n";

    private HaproxyReplies() {
    }

    /** One server line of {@code show servers state}, in the 2.6 column layout. */
    public static String server(String backend, String server, String addr, int port, int opState, int adminState) {
        return "6 " + backend + " 1 " + server + " " + addr + " " + opState + " " + adminState
                + " 1 1 3 8 2 0 14 0 0 0 - " + port + " - 0 0 - - 0\n";
    }

    /** A whole {@code show servers state} answer (ending with its empty line) holding these server lines. */
    public static String serversState(String... serverLines) {
        return "1\n" + HEADER + String.join("", serverLines) + "\n";
    }

    /** A whole {@code show map} answer holding these key/value pairs. */
    static String map(String... keyValues) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < keyValues.length; i += 2) {
            s.append("0x56086235539").append(i / 2).append(' ').append(keyValues[i]).append(' ').append(keyValues[i + 1])
                    .append('\n');
        }
        return s.append('\n').toString();
    }
}
