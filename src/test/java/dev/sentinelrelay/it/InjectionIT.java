package dev.sentinelrelay.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile payloads on the channels the relay listens to, published by a real {@code redis-server} listed as a
 * fourth sentinel (a real sentinel does not let clients publish on its event channels; a plain Redis server
 * does). The three real sentinels are the majority of four, so the relay is ready and verifies as usual.
 * Payloads carry HAProxy runtime API separators ({@code ;}, {@code \n}, {@code \r\n}) followed by runtime
 * commands, odd spacing, overlong fields, wrong field counts, unknown masters and invalid ports and hosts.
 * Every one must be rejected and counted, a well-formed but false {@code +switch-master} must be refused by
 * verification, and HAProxy must be exactly as before: same servers, same addresses and states, same maps.
 */
class InjectionIT extends SandboxIT {

    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Duration FENCE_TIMEOUT = Duration.ofSeconds(3);
    /** The channels the relay subscribes to on every sentinel (routes/10-sentinel-subscriber.yaml). */
    private static final List<String> CHANNELS = List.of("+switch-master", "+odown", "-odown", "+sdown", "-sdown",
            "+selected-slave", "+failover-state-send-slaveof-noone", "+promoted-slave", "+failover-end",
            "+failover-end-for-timeout", "+tilt", "-tilt", "+reset-master", "+slave", "+convert-to-slave",
            "+slave-reconf-done");
    private static final Pattern REJECTED_SINCE_START = Pattern.compile("\\((\\d+) rejected since start\\)$");
    private static final Pattern LOG_LINE_START = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");
    private static final String CUT = "shutdown sessions server redis_mymaster/master";
    private static final String MOVE = "set server redis_mymaster/master addr 127.0.0.1 port 1";

    private int plainPort;
    private ManagedProcess plain;

    /** One payload, the channel it is published on, and the reason the relay must give for rejecting it. */
    private record Payload(String channel, String text, String reason, String what) {
        @Override
        public String toString() {
            String shown = text.length() > 60 ? text.substring(0, 60) + "...(" + text.length() + " chars)" : text;
            return what + " [" + channel + " '" + shown.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0")
                    + "' -> " + reason + "]";
        }
    }

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.start(null, HaproxyMode.MAP); // a runtime map and a map file to keep unchanged, too
        plainPort = Sandbox.freePort();
        plain = ManagedProcess.start("plain-redis-" + plainPort, List.of("redis-server", "--port", String.valueOf(plainPort),
                        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", sandbox.dir.toString(),
                        "--dbfilename", "plain-" + plainPort + ".rdb"),
                sandbox.dir, sandbox.dir.resolve("plain-redis-" + plainPort + ".log"), Map.of());
        await("plain redis up").atMost(LIMIT).ignoreExceptions().until(() -> sandbox.ping(plainPort));
        String sentinels = String.join(",", sandbox.sentinelPorts.stream().map(p -> "127.0.0.1:" + p).toList())
                + ",127.0.0.1:" + plainPort;
        relay = Relay.start(sandbox, Map.of("relay.sentinels", sentinels, "relay.fence.timeout", FENCE_TIMEOUT.toSeconds() + "s"));
        await("relay subscribed to every channel on the plain redis-server").atMost(LIMIT).ignoreExceptions()
                .until(() -> {
                    try (Jedis j = sandbox.jedis(plainPort)) {
                        return j.pubsubNumSub(CHANNELS.toArray(String[]::new)).values().stream().allMatch(n -> n > 0);
                    }
                });
    }

    /** Runs before SandboxIT's teardown: the relay first (so it does not log the plain server going away), then it. */
    @AfterAll
    void stopRelayAndPlainRedis() {
        if (relay != null) {
            relay.close();
        }
        if (plain != null) {
            plain.stop(); // by its PID; SandboxIT then stops the sandbox and keeps every log, this one included
        }
    }

    @Test
    void hostilePayloadsAreRejectedAndHaproxyIsUntouched() throws Exception {
        int master = sandbox.sentinelMasterPort();
        int replica = sandbox.redisPorts.stream().filter(p -> p != master).findFirst().orElseThrow();
        assertEquals(master, sandbox.portBehindFrontend(), "before: clients reach the master");
        Map<String, String> haproxyBefore = haproxySnapshot();
        long updatesBefore = relay.count("haproxy updated");
        long refusedBefore = refusalsNaming(replica);
        int rejectedBefore = rejectedLines().size();

        List<Payload> payloads = payloads(master, replica);
        for (Payload p : payloads) {
            publish(p.channel(), p.text());
        }
        await("every hostile payload rejected").atMost(LIMIT).pollInterval(Duration.ofMillis(50))
                .until(() -> rejectedLines().size() >= rejectedBefore + payloads.size());

        // one listener thread per sentinel delivers in publish order, so the i-th rejection is the i-th payload
        List<String> rejected = rejectedLines().subList(rejectedBefore, rejectedBefore + payloads.size());
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            if (!rejected.get(i).contains(": " + payloads.get(i).reason() + ": ")) {
                wrong.add(payloads.get(i) + "\n    got: " + rejected.get(i));
            }
        }
        assertTrue(wrong.isEmpty(), "rejected for another reason than expected:\n" + String.join("\n", wrong));
        List<Long> counters = rejected.stream().map(InjectionIT::rejectedSinceStart).toList();
        for (int i = 1; i < counters.size(); i++) {
            assertEquals(counters.get(i - 1) + 1, counters.get(i), "the rejected counter counts every one: " + counters);
        }
        long rejectedInLog = relay.countSinceStart("rejected event from");
        assertEquals(rejectedInLog, counters.get(counters.size() - 1), "counter = rejected lines in the log");

        // well-formed but false: a replica named as the new master. Not rejected, refused by verification.
        publish("+switch-master", "mymaster 127.0.0.1 " + master + " 127.0.0.1 " + replica);
        await("false +switch-master refused by verification").atMost(LIMIT).pollInterval(Duration.ofMillis(50))
                .until(() -> refusalsNaming(replica) > refusedBefore);

        assertEquals(rejectedBefore + payloads.size(), rejectedLines().size(),
                "the false +switch-master is not rejected:\n" + relay.tail());
        assertEquals(rejectedInLog, relay.countSinceStart("rejected event from"), "nothing else rejected:\n" + relay.tail());

        assertNothingChanged(master, haproxyBefore, updatesBefore);

        System.out.printf("InjectionIT: %d payloads rejected (counter %d..%d), false +switch-master refused, "
                        + "haproxy unchanged: %s%n", payloads.size(), counters.get(0), counters.get(counters.size() - 1),
                haproxyBefore.get("servers"));
    }

    /**
     * Separators and commands in the fields the parser does not inspect (the rest of a {@code #tilt} line, the
     * {@code #quorum} tail, a replica's run id) or a well-formed event with a hostname or a trailing newline: the
     * relay may accept or reject these, but nothing may change. A false {@code +switch-master} published last is
     * the marker: it is handled after every trigger before it (one listener thread, one resolver queue).
     */
    @Test
    void junkInFieldsTheParserIgnoresChangesNothing() throws Exception {
        int master = sandbox.sentinelMasterPort();
        int replica = sandbox.redisPorts.stream().filter(p -> p != master).findFirst().orElseThrow();
        Map<String, String> haproxyBefore = haproxySnapshot();
        long updatesBefore = relay.count("haproxy updated");
        int rejectedBefore = rejectedLines().size();
        String m = String.valueOf(master);
        String r = String.valueOf(replica);
        List<String[]> junk = List.of(
                new String[]{"+tilt", "#tilt mode entered;shutdown"},
                new String[]{"-tilt", "#tilt mode exited\nshutdown"},
                new String[]{"+odown", "master mymaster 127.0.0.1 " + m + " #quorum;" + CUT.replace(' ', ';')},
                new String[]{"+sdown", "master mymaster 127.0.0.1 " + r + " #x\n" + MOVE},
                new String[]{"+sdown", "slave 127.0.0.1:" + r + ";" + CUT.replace(' ', ';') + " 127.0.0.1 " + r
                        + " @ mymaster 127.0.0.1 " + m},
                new String[]{"-sdown", "sentinel x\r\n" + MOVE.replace(' ', '\t') + " 127.0.0.1 " + r + " @ mymaster 127.0.0.1 " + m},
                new String[]{"+switch-master", "mymaster 127.0.0.1 " + r + " localhost " + r},
                new String[]{"+switch-master", "mymaster 127.0.0.1 " + r + " 127.0.0.1 " + m + "\r\n"},
                new String[]{"+failover-end", "master mymaster 127.0.0.1 " + m + "\n"});
        for (String[] event : junk) {
            publish(event[0], event[1]);
        }
        // the marker's old address (127.0.0.2, never used otherwise) tells its refusal apart
        String marker = "127.0.0.2:" + m;
        long markersBefore = relay.linesSinceMark().stream().filter(l -> l.contains("not changing anything") && l.contains(marker)).count();
        publish("+switch-master", "mymaster 127.0.0.2 " + m + " 127.0.0.1 " + r);
        await("marker refused, so every trigger before it was handled").atMost(LIMIT).pollInterval(Duration.ofMillis(50))
                .until(() -> relay.linesSinceMark().stream().filter(l -> l.contains("not changing anything") && l.contains(marker))
                        .count() > markersBefore);

        assertNothingChanged(master, haproxyBefore, updatesBefore);
        System.out.printf("InjectionIT: of %d payloads with junk in ignored fields %d were rejected, the rest accepted; "
                + "nothing changed%n", junk.size(), rejectedLines().size() - rejectedBefore);
    }

    /** HAProxy as before and still answering, clients on the master, the relay alive and ready, no log line split. */
    /**
     * One sentinel announces a failover (a replica selected and told to take over) and an objectively down
     * master, with nothing real behind either: the replica never answers ROLE master and no majority sees the
     * master down, so the master is never fenced and clients keep reaching it.
     */
    @Test
    void aFakeFailoverStartFromOneSentinelDoesNotFence() throws Exception {
        int master = sandbox.sentinelMasterPort();
        int replica = sandbox.redisPorts.stream().filter(p -> p != master).findFirst().orElseThrow();
        Map<String, String> haproxyBefore = haproxySnapshot();
        long updatesBefore = relay.count("haproxy updated");
        long watchesEnded = relay.count("was not promoted within");
        String selected = "slave 127.0.0.1:" + replica + " 127.0.0.1 " + replica + " @ mymaster 127.0.0.1 " + master;

        publish("+selected-slave", selected);
        publish("+failover-state-send-slaveof-noone", selected);
        publish("+odown", "master mymaster 127.0.0.1 " + master + " #quorum 1/2");

        await("the master stays routed while the fake failover would run").during(FENCE_TIMEOUT.plusSeconds(1))
                .atMost(LIMIT).pollInterval(Duration.ofMillis(100))
                .until(() -> sandbox.portBehindFrontend() == master);
        await("the watch of the fake candidate ended").atMost(LIMIT).pollInterval(Duration.ofMillis(100))
                .until(() -> relay.count("was not promoted within") > watchesEnded);
        assertEquals(0, relay.count("fencing mymaster"), "a single sentinel's word fenced the master:\n" + relay.tail());
        assertNothingChanged(master, haproxyBefore, updatesBefore);
    }

    private void assertNothingChanged(int master, Map<String, String> haproxyBefore, long updatesBefore) throws IOException {
        assertEquals(haproxyBefore, haproxySnapshot(), "HAProxy changed");
        assertEquals(master, sandbox.haproxyServerPort());
        sandbox.awaitClientsReach(master);
        assertEquals(master, sandbox.portBehindFrontend());
        assertEquals(master, sandbox.sentinelMasterPort(), "the sentinels did not move either");

        // the relay: alive, ready, wrote nothing, had no HAProxy error, and no payload broke a log line
        assertTrue(relay.process.alive(), "the relay survives hostile input");
        assertEquals(200, relay.readyStatus(), "still ready");
        assertEquals(updatesBefore, relay.count("haproxy updated"), relay.tail());
        assertEquals(0, relay.count("haproxy update failed"), relay.tail());
        assertEquals(0, relay.count("HaproxyReplyException"), relay.tail());
        List<String> brokenLines = relay.linesSinceMark().stream()
                .filter(l -> l.contains("shutdown") || l.contains("set server") || l.contains("redis_mymaster/master"))
                .filter(l -> !LOG_LINE_START.matcher(l).find()).toList();
        assertEquals(List.of(), brokenLines, "a payload's newline split a relay log line");
    }

    private List<Payload> payloads(int master, int replica) {
        String m = String.valueOf(master);
        String r = String.valueOf(replica);
        String ok = "mymaster 127.0.0.1 " + m + " 127.0.0.1 ";
        List<Payload> list = new ArrayList<>();
        // runtime API separators followed by runtime commands
        list.add(new Payload("+switch-master", ok + r + ";" + CUT, "malformed", "';' then a command (more fields)"));
        list.add(new Payload("+switch-master", ok + r + ";shutdown", "bad-address", "';' glued to the port"));
        list.add(new Payload("+switch-master", "mymaster 127.0.0.1 " + m + " 127.0.0.1;" + CUT.replace(' ', ';') + " " + r,
                "bad-address", "';' glued to the host"));
        list.add(new Payload("+switch-master", ok + r + "\n" + CUT, "malformed", "'\\n' then a command"));
        list.add(new Payload("+switch-master", ok + r + "\r\n" + MOVE, "malformed", "'\\r\\n' then a command"));
        list.add(new Payload("+switch-master", ok + r + "\nshutdown", "bad-address", "'\\n' glued to the port"));
        list.add(new Payload("+switch-master", ok + r + "\r\nshutdown", "bad-address", "'\\r\\n' glued to the port"));
        list.add(new Payload("+switch-master", "mymaster 127.0.0.1 " + m + " 127.0.0.1\n" + r, "malformed",
                "'\\n' instead of a space (4 fields)"));
        list.add(new Payload("+switch-master", "mymaster;" + CUT.replace(' ', ';') + " 127.0.0.1 " + m + " 127.0.0.1 " + r,
                "unknown-master", "';' glued to the master name"));
        list.add(new Payload("+switch-master", "mymaster\n" + MOVE.replace(' ', '\t') + " 127.0.0.1 " + m + " 127.0.0.1 " + r,
                "unknown-master", "'\\n' glued to the master name"));
        list.add(new Payload("+switch-master", "mymaster\0 127.0.0.1 " + m + " 127.0.0.1 " + r, "unknown-master",
                "NUL in the master name"));
        // spacing
        list.add(new Payload("+switch-master", "mymaster  127.0.0.1 " + m + " 127.0.0.1 " + r, "malformed", "double space"));
        list.add(new Payload("+switch-master", "mymaster\t127.0.0.1\t" + m + "\t127.0.0.1\t" + r, "malformed", "tabs"));
        list.add(new Payload("+switch-master", "   ", "malformed", "blank"));
        list.add(new Payload("+switch-master", "", "malformed", "empty"));
        // overlong fields
        list.add(new Payload("+switch-master", "m".repeat(5000) + " 127.0.0.1 " + m + " 127.0.0.1 " + r, "malformed",
                "5,000-char name (oversized payload)"));
        list.add(new Payload("+switch-master", "m".repeat(900) + " 127.0.0.1 " + m + " 127.0.0.1 " + r, "unknown-master",
                "900-char name (payload under the size limit)"));
        list.add(new Payload("+switch-master", "mymaster 127.0.0.1 " + m + " " + "a".repeat(300) + " " + r, "bad-address",
                "300-char host"));
        list.add(new Payload("+switch-master", ok + "6".repeat(400), "bad-address", "400-digit port"));
        // field counts
        list.add(new Payload("+switch-master", "mymaster 127.0.0.1 " + m + " 127.0.0.1", "malformed", "4 fields"));
        list.add(new Payload("+switch-master", ok + r + " extra", "malformed", "6 fields"));
        list.add(new Payload("+switch-master", "mymaster", "malformed", "1 field"));
        // masters not configured
        list.add(new Payload("+switch-master", "othermaster 127.0.0.1 " + m + " 127.0.0.1 " + r, "unknown-master", "other name"));
        list.add(new Payload("+switch-master", "MYMASTER 127.0.0.1 " + m + " 127.0.0.1 " + r, "unknown-master", "other case"));
        list.add(new Payload("+switch-master", "redis_mymaster/master 127.0.0.1 " + m + " 127.0.0.1 " + r, "unknown-master",
                "backend/server as the name"));
        // ports and hosts
        list.add(new Payload("+switch-master", ok + "0", "bad-address", "port 0"));
        list.add(new Payload("+switch-master", ok + "70000", "bad-address", "port 70000"));
        list.add(new Payload("+switch-master", ok + "abc", "bad-address", "port abc"));
        list.add(new Payload("+switch-master", ok + "-1", "bad-address", "port -1"));
        list.add(new Payload("+switch-master", "mymaster 127.0.0.1 0 127.0.0.1 " + r, "bad-address", "old port 0"));
        list.add(new Payload("+switch-master", "mymaster 127.0.0.1;x " + m + " 127.0.0.1 " + r, "bad-address",
                "old host with ';'"));
        list.add(new Payload("+switch-master", "mymaster 127.0.0.1 " + m + " -127.0.0.1 " + r, "bad-address",
                "host starting with '-'"));
        list.add(new Payload("+switch-master", "mymaster 127.0.0.1 " + m + " [::1] " + r, "bad-address", "bracketed IPv6"));
        // the other channels
        list.add(new Payload("+odown", "master mymaster 127.0.0.1 " + m + ";" + CUT.replace(' ', ';') + " #quorum 2/2",
                "bad-address", "+odown port with ';'"));
        list.add(new Payload("-odown", "master othermaster 127.0.0.1 " + m, "unknown-master", "-odown other master"));
        list.add(new Payload("+sdown", "master mymaster 127.0.0.1", "malformed", "+sdown 3 fields"));
        list.add(new Payload("-sdown", "master mymaster 127.0.0.1 " + m + " " + CUT, "malformed",
                "-sdown command after the port"));
        list.add(new Payload("+sdown", "slave 127.0.0.1:" + r + " 127.0.0.1 " + r + " @ mymaster 127.0.0.1 " + m + ";" + CUT.replace(' ', ';'),
                "bad-address", "+sdown replica form, master port with ';'"));
        list.add(new Payload("+sdown", "slave 127.0.0.1:" + r + " 127.0.0.1 70000 @ mymaster 127.0.0.1 " + m,
                "bad-address", "+sdown replica form, port 70000"));
        list.add(new Payload("+sdown", "\r\n", "malformed", "+sdown CRLF only"));
        list.add(new Payload("+failover-end", "master mymaster 127.0.0.1 0", "bad-address", "+failover-end port 0"));
        list.add(new Payload("+reset-master", "master mymaster 127.0.0.1 " + m + "\n" + CUT, "malformed",
                "+reset-master '\\n' then a command"));
        list.add(new Payload("+tilt", "#tilt mode entered;" + CUT, "malformed", "+tilt ';' then a command"));
        list.add(new Payload("-tilt", "#tilt mode exited\n" + MOVE, "malformed", "-tilt '\\n' then a command"));
        list.add(new Payload("-tilt", "garbage", "malformed", "-tilt garbage"));
        return list;
    }

    /** PUBLISHes on the plain server; the relay's subscription must receive it. */
    private void publish(String channel, String payload) {
        try (Jedis j = sandbox.jedis(plainPort)) {
            assertEquals(1, j.publish(channel, payload), "one subscriber (the relay) received " + channel);
        }
    }

    /** How many "not changing anything" lines name {@code port}: refusals of an event that named it. */
    private long refusalsNaming(int port) {
        return relay.linesSinceMark().stream().filter(l -> l.contains("not changing anything") && l.contains("127.0.0.1:" + port)).count();
    }

    /** The relay's rejection lines for events from the plain server, oldest first. */
    private List<String> rejectedLines() {
        String from = "(127.0.0.1:" + plainPort + ")";
        return relay.linesSinceMark().stream().filter(l -> l.contains("rejected event from") && l.contains(from)).toList();
    }

    private static long rejectedSinceStart(String line) {
        Matcher m = REJECTED_SINCE_START.matcher(line);
        if (!m.find()) {
            fail("no '(<N> rejected since start)' suffix: " + line);
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * What HAProxy holds, in stable columns only: every server of every backend (name, address, port, admin and
     * operational state), the backends, every map with its entries, and the process id (HAProxy was not restarted).
     */
    private Map<String, String> haproxySnapshot() throws IOException {
        Map<String, String> snapshot = new LinkedHashMap<>();
        String info = sandbox.haproxyCommand("show info");
        assertTrue(info.contains("Name: HAProxy"), "HAProxy answers: " + info);
        snapshot.put("pid", info.lines().filter(l -> l.startsWith("Pid: ")).findFirst().orElseThrow());
        snapshot.put("servers", serversState(sandbox.haproxyCommand("show servers state")));
        snapshot.put("backends", sandbox.haproxyCommand("show backend").strip());
        String maps = sandbox.haproxyCommand("show map");
        snapshot.put("maps", maps.strip());
        for (String line : maps.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList()) {
            String id = line.split(" ")[0]; // "<id> (<file>) ..."
            snapshot.put("map #" + id, sandbox.haproxyCommand("show map #" + id).strip());
        }
        snapshot.put("map file", Files.readString(sandbox.mapFile(1)));
        return snapshot;
    }

    /** "show servers state" reduced to backend, server, address, port, admin state and op state per server. */
    static String serversState(String reply) {
        List<String> lines = reply.lines().toList();
        String header = lines.stream().filter(l -> l.startsWith("# be_id")).findFirst()
                .orElseThrow(() -> new AssertionError("no header in show servers state: " + reply));
        List<String> columns = Arrays.asList(header.substring(2).split(" "));
        int[] keep = List.of("be_name", "srv_name", "srv_addr", "srv_port", "srv_admin_state", "srv_op_state").stream()
                .mapToInt(c -> {
                    int i = columns.indexOf(c);
                    if (i < 0) {
                        throw new AssertionError("no column " + c + " in " + header);
                    }
                    return i;
                }).toArray();
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#") || line.strip().matches("\\d+") && !line.contains(" ")) {
                continue; // header, version line
            }
            String[] f = line.split(" ");
            for (int i : keep) {
                out.append(f[i]).append(' ');
            }
            out.setCharAt(out.length() - 1, '\n');
        }
        return out.toString();
    }
}
