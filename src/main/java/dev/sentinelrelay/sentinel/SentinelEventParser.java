package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;

import org.apache.camel.Body;
import org.apache.camel.Header;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Parses and validates Sentinel event payloads. Anything that does not match the documented shapes, names a
 * master the relay does not follow, or carries an invalid address is rejected before it can trigger anything.
 */
public final class SentinelEventParser {

    /** The channels the relay subscribes to; any other channel is rejected. */
    public static final Set<String> CHANNELS = Set.of(
            "+switch-master", "+odown", "-odown", "+sdown", "-sdown",
            "+selected-slave", "+failover-state-send-slaveof-noone", "+promoted-slave",
            "+failover-end", "+failover-end-for-timeout", "+tilt", "-tilt", "+reset-master",
            "+slave", "+convert-to-slave", "+slave-reconf-done");

    private static final int MAX_PAYLOAD = 1024;

    private final Set<String> masters;
    private final LongAdder rejected = new LongAdder();

    public SentinelEventParser(Set<String> masters) {
        this.masters = Set.copyOf(masters);
    }

    public SentinelEvent parse(@Header("CamelRedis.Channel") String channel, @Body String payload,
                               @Header("relaySentinel") String sentinel) {
        if (channel == null || !CHANNELS.contains(channel)) {
            throw new InvalidEventException("unknown-channel", "channel '" + channel + "'");
        }
        if (payload == null || payload.length() > MAX_PAYLOAD || payload.isBlank()) {
            throw new InvalidEventException("malformed", "empty or oversized payload on " + channel);
        }
        String[] f = payload.strip().split(" ");
        return switch (channel) {
            case "+switch-master" -> switchMaster(f, sentinel);
            case "+tilt", "-tilt" -> tilt(channel, f, sentinel);
            default -> instanceEvent(channel, f, sentinel);
        };
    }

    /** Counts one rejected event and returns how many were rejected since start-up. */
    public long rejected() {
        rejected.increment();
        return rejected.sum();
    }

    /** {@code <name> <old-ip> <old-port> <new-ip> <new-port>} */
    private SentinelEvent switchMaster(String[] f, String sentinel) {
        if (f.length != 5) {
            throw malformed("+switch-master", f);
        }
        return new SentinelEvent("+switch-master", knownMaster(f[0]), address(f[1], f[2]), address(f[3], f[4]), sentinel);
    }

    /** {@code #tilt mode entered|exited} */
    private SentinelEvent tilt(String channel, String[] f, String sentinel) {
        if (f.length != 3 || !f[0].equals("#tilt") || !f[1].equals("mode")) {
            throw malformed(channel, f);
        }
        return new SentinelEvent(channel, null, null, null, sentinel);
    }

    /**
     * {@code master <name> <ip> <port> [#...]}, or for replicas and sentinels
     * {@code <slave|sentinel> <id> <ip> <port> @ <master-name> <master-ip> <master-port>}.
     */
    private SentinelEvent instanceEvent(String channel, String[] f, String sentinel) {
        if (f.length >= 4 && f[0].equals("master") && (f.length == 4 || f[4].startsWith("#"))) {
            return new SentinelEvent(channel, knownMaster(f[1]), address(f[2], f[3]), null, sentinel);
        }
        if (f.length == 8 && (f[0].equals("slave") || f[0].equals("sentinel")) && f[4].equals("@")) {
            address(f[6], f[7]);
            return new SentinelEvent(channel, knownMaster(f[5]), address(f[2], f[3]), null, sentinel, f[0].equals("slave"));
        }
        throw malformed(channel, f);
    }

    private String knownMaster(String name) {
        if (!masters.contains(name)) {
            throw new InvalidEventException("unknown-master", "master '" + truncate(name) + "' is not followed");
        }
        return name;
    }

    private static HostPort address(String host, String port) {
        try {
            return new HostPort(host, HostPort.parsePort(port));
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("bad-address", truncate(e.getMessage()));
        }
    }

    private static InvalidEventException malformed(String channel, String[] f) {
        return new InvalidEventException("malformed", channel + " payload '" + truncate(String.join(" ", Arrays.asList(f))) + "'");
    }

    private static String truncate(String s) {
        String printable = s.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
    }
}
