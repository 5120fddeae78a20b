import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Takeover benchmark, run by bench/takeover on a sandbox with ZooKeeper and relays 1..n of one cluster running
 * (bin/lib/cluster.sh: relay-n's configuration and log in SANDBOX_DIR/relay-n/, its pid in SANDBOX_DIR/pids/). Launched
 * as a single-file program with the relay's shaded jar (Jedis, Jackson) and bench/lib/BenchSentinels on the class path.
 *
 * <p>Each round: {@code SENTINEL FAILOVER mymaster} and, at once, SIGKILL of the leader relay. Measured from the kill:
 * until another relay answers 200 on {@code /health/leader} (new leader), and until HAProxy's server entry holds the
 * new master (runtime API {@code show servers state}) while the new leader's {@code /api/cluster} routes to it and its
 * HAProxy destination agrees (takeover: the failover that happened while nobody led, applied). The killed relay is
 * then started again with its own command line, and the next round waits until every relay is ready, one leads and
 * the sentinels have settled.
 *
 * <p>Arguments: sentinel ports (comma-separated), HAProxy runtime API port, rounds, sandbox dir, number of relays,
 * session timeout (as configured, for the table), file to write the result table to.
 */
public class Takeover {

    static final String MASTER = BenchSentinels.MASTER;
    static final String HOST = BenchSentinels.HOST;
    static final String BACKEND = "redis_mymaster";
    static final String SERVER = "master";
    static final long SETTLE_TIMEOUT_NANOS = seconds(60);
    /** A relay started again: JVM start, Camel, the first reconcile, on a machine that may be busy. */
    static final long READY_TIMEOUT_NANOS = seconds(90);
    static final long LEADER_TIMEOUT_NANOS = seconds(30);
    /** From the kill: how long the takeover may take before the round counts as failed. */
    static final long TAKEOVER_TIMEOUT_NANOS = seconds(30);
    static final long POLL_MILLIS = 2;
    static final int HTTP_TIMEOUT_MS = 1000;
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: Takeover <sentinel-ports,...> <haproxy-admin-port> <rounds> <sandbox-dir>"
                    + " <relays> <session-timeout> <table-file>");
            System.exit(2);
        }
        int[] sentinels = Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray();
        int adminPort = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Path sandbox = Path.of(args[3]);
        int relayCount = Integer.parseInt(args[4]);
        String sessionTimeout = args[5];
        Path tableFile = Path.of(args[6]);

        List<Relay> relays = new ArrayList<>();
        for (int n = 1; n <= relayCount; n++) {
            relays.add(new Relay(n, sandbox));
        }
        AtomicReference<String> switched = new AtomicReference<>();
        BenchSentinels.Events events = new BenchSentinels.Events(sentinels, event -> {
            // "<master> <old ip> <old port> <new ip> <new port>"
            String[] parts = event.message().split(" ");
            if (event.channel().equals("+switch-master") && parts.length == 5 && parts[0].equals(MASTER)) {
                switched.compareAndSet(null, parts[3] + ":" + parts[4]);
            }
        });
        List<Result> results = new ArrayList<>();
        Exception aborted = null;
        try {
            events.awaitSubscribed();
            String master = BenchSentinels.awaitSettled(sentinels, null, SETTLE_TIMEOUT_NANOS);
            System.out.println("takeover = SIGKILL of the leader relay -> HAProxy holds the new master and the new"
                    + " leader's /api/cluster routes it; the failover is triggered right before the kill");
            for (int i = 1; i <= rounds; i++) {
                events.requireSubscribed();
                Result result = round(i, sentinels, adminPort, relays, master, switched);
                results.add(result);
                System.out.println(result.describe());
                if (result.newMaster == null) {
                    throw new IllegalStateException("round " + i + ": no +switch-master within "
                            + TimeUnit.NANOSECONDS.toSeconds(TAKEOVER_TIMEOUT_NANOS) + " s of the kill");
                }
                master = result.newMaster;
            }
            // every relay back and one leading, so that the standbys' RSS is that of relays that ran a while
            awaitReadyWithOneLeader(relays);
        } catch (Exception e) {
            aborted = e;
            System.out.println("ABORTED after " + results.size() + " of " + rounds + " rounds: " + e.getMessage());
        }
        Files.writeString(tableFile, table(results, relayCount, sessionTimeout, standbyRss(relays)));
        boolean allTookOver = results.stream().allMatch(r -> r.takeoverNanos != null);
        System.exit(aborted == null && allTookOver && results.size() == rounds ? 0 : 1);
    }

    static Result round(int number, int[] sentinels, int adminPort, List<Relay> relays, String master,
            AtomicReference<String> switched) throws Exception {
        BenchSentinels.awaitSettled(sentinels, master, SETTLE_TIMEOUT_NANOS);
        Relay leader = awaitReadyWithOneLeader(relays);
        long haproxyDeadline = System.nanoTime() + SETTLE_TIMEOUT_NANOS;
        while (!(master + " 0").equals(haproxyEntry(adminPort))) {
            if (System.nanoTime() > haproxyDeadline) {
                throw new IllegalStateException("round " + number + ": HAProxy's entry is " + haproxyEntry(adminPort)
                        + ", not the master " + master);
            }
            Thread.sleep(100);
        }
        List<String> command = leader.command();
        Path workingDirectory = leader.workingDirectory();

        switched.set(null);
        BenchSentinels.triggerFailover(sentinels[(number - 1) % sentinels.length]); // take turns
        long pid = leader.pid();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        long killed = System.nanoTime();

        Relay newLeader = null;
        Long leaderNanos = null;
        Long takeoverNanos = null;
        boolean movedBeforeNewLeader = false;
        String entry = haproxyEntry(adminPort);
        long changed = killed;
        while (System.nanoTime() - killed < TAKEOVER_TIMEOUT_NANOS) {
            if (newLeader == null) {
                for (Relay relay : relays) {
                    if (relay != leader && relay.leading()) {
                        newLeader = relay;
                        leaderNanos = System.nanoTime() - killed;
                        break;
                    }
                }
            }
            String now = haproxyEntry(adminPort);
            if (!now.equals(entry)) {
                entry = now;
                changed = System.nanoTime();
                movedBeforeNewLeader |= newLeader == null;
            }
            String newMaster = switched.get();
            if (newMaster != null && newLeader != null && entry.equals(newMaster + " 0")
                    && newLeader.routesVerified(newMaster)) {
                takeoverNanos = changed - killed;
                break;
            }
            Thread.sleep(POLL_MILLIS);
        }
        leader.start(command, workingDirectory);
        return new Result(number, master, switched.get(), leader.number, newLeader, leaderNanos, takeoverNanos,
                movedBeforeNewLeader, entry);
    }

    /** Waits until every relay answers 200 on /health/ready and exactly one on /health/leader; returns that one. */
    static Relay awaitReadyWithOneLeader(List<Relay> relays) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
        for (Relay relay : relays) {
            while (!relay.ready()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("relay-" + relay.number + " was not ready within "
                            + TimeUnit.NANOSECONDS.toSeconds(READY_TIMEOUT_NANOS) + " s");
                }
                Thread.sleep(100);
            }
        }
        deadline = System.nanoTime() + LEADER_TIMEOUT_NANOS;
        List<Relay> leaders = List.of();
        while (System.nanoTime() < deadline) {
            leaders = relays.stream().filter(Relay::leading).toList();
            if (leaders.size() == 1) {
                return leaders.get(0);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("not exactly one leader within "
                + TimeUnit.NANOSECONDS.toSeconds(LEADER_TIMEOUT_NANOS) + " s: " + leaders);
    }

    /** "addr:port admin_state" of the master's server entry, by the header's column names; "" without an answer. */
    static String haproxyEntry(int adminPort) {
        String reply;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, adminPort), HTTP_TIMEOUT_MS);
            socket.setSoTimeout(HTTP_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(("show servers state " + BACKEND + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
        return BenchHaproxy.serverEntries(reply, SERVER).getOrDefault(BACKEND, "");
    }

    /** VmRSS of each running standby relay, e.g. "relay-2 182 MB, relay-3 175 MB". */
    static String standbyRss(List<Relay> relays) {
        List<String> out = new ArrayList<>();
        for (Relay relay : relays) {
            if (!relay.leading()) {
                double mb = BenchTable.rssMegabytes(relay.pid());
                if (mb >= 0) {
                    out.add(String.format(Locale.ROOT, "relay-%d %.0f MB", relay.number, mb));
                }
            }
        }
        return out.isEmpty() ? "no standby running" : String.join(", ", out);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Relay n of the cluster: its API port from its configuration, its PID from its pid file (both re-read). */
    static final class Relay {
        final int number;
        private final Path config;
        private final Path pidFile;
        private final Path log;

        Relay(int number, Path sandbox) {
            this.number = number;
            this.config = sandbox.resolve("relay-" + number).resolve("relay.properties");
            this.pidFile = sandbox.resolve("pids").resolve("relay-" + number + ".pid");
            this.log = sandbox.resolve("relay-" + number).resolve("relay.log");
        }

        /** The last relay.api.port line: the relay's own, after the sandbox's (the last one wins). */
        int apiPort() {
            try {
                return Files.readAllLines(config).stream().filter(l -> l.startsWith("relay.api.port"))
                        .map(l -> Integer.parseInt(l.substring(l.indexOf('=') + 1).trim()))
                        .reduce((first, last) -> last).orElseThrow();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + config, e);
            }
        }

        long pid() {
            try {
                return Long.parseLong(Files.readString(pidFile).trim());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + pidFile, e);
            }
        }

        boolean ready() {
            return status(get("/health/ready")) == 200;
        }

        boolean leading() {
            return status(get("/health/leader")) == 200;
        }

        /** Its /api/cluster: it leads, routes mymaster to {@code master}, and its HAProxy destinations agree. */
        boolean routesVerified(String master) {
            String reply = get("/api/cluster");
            if (status(reply) != 200) {
                return false;
            }
            try {
                JsonNode cluster = JSON.readTree(reply.substring(reply.indexOf("\r\n\r\n") + 4));
                for (JsonNode m : cluster.path("masters")) {
                    if (m.path("name").asText().equals(MASTER)) {
                        return cluster.path("role").asText().equals("leader") && m.path("route").asText().equals(master)
                                && m.path("destinationsAgree").asBoolean();
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        }

        /** The command line and working directory it runs with, to start it again the same way after the kill. */
        List<String> command() throws IOException {
            String cmdline = Files.readString(Path.of("/proc/" + pid() + "/cmdline"), StandardCharsets.UTF_8);
            return List.of(cmdline.split("\0"));
        }

        Path workingDirectory() throws IOException {
            return Files.readSymbolicLink(Path.of("/proc/" + pid() + "/cwd"));
        }

        /** Starts it again, its output appended to its log, its PID in its pid file (bin/sandbox down stops it). */
        void start(List<String> command, Path workingDirectory) throws IOException {
            Process process = new ProcessBuilder(command).directory(workingDirectory.toFile())
                    .redirectInput(new File("/dev/null")).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Files.writeString(pidFile, process.pid() + "\n");
        }

        /** A GET over HTTP/1.0 (the reply ends with the connection): the whole reply, or "" without one. */
        private String get(String path) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, apiPort()), HTTP_TIMEOUT_MS);
                socket.setSoTimeout(HTTP_TIMEOUT_MS);
                socket.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }

        private static int status(String reply) {
            String[] statusLine = reply.split(" ", 3);
            return statusLine.length > 1 && statusLine[1].matches("\\d{3}") ? Integer.parseInt(statusLine[1]) : -1;
        }

        @Override
        public String toString() {
            return "relay-" + number;
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** What one round measured. leaderNanos and takeoverNanos are null when it did not happen in time. */
    record Result(int number, String oldMaster, String newMaster, int killed, Relay newLeader, Long leaderNanos,
            Long takeoverNanos, boolean movedBeforeNewLeader, String lastEntry) {

        String describe() {
            String took = takeoverNanos == null ? "NO TAKEOVER within "
                    + TimeUnit.NANOSECONDS.toSeconds(TAKEOVER_TIMEOUT_NANOS) + " s (HAProxy entry: " + lastEntry + ")"
                    : String.format(Locale.ROOT, "HAProxy on the new master %.3f s after the kill",
                            takeoverNanos / 1e9);
            String led = leaderNanos == null ? "no new leader"
                    : String.format(Locale.ROOT, "%s leads %.3f s after the kill", newLeader, leaderNanos / 1e9);
            return String.format(Locale.ROOT, "round %2d: %s -> %s, relay-%d killed | %s | %s%s", number, oldMaster,
                    newMaster, killed, led, took,
                    movedBeforeNewLeader ? " | WARNING: HAProxy's entry changed before a new leader was seen" : "");
        }
    }

    static String table(List<Result> results, int relays, String sessionTimeout, String standbyRss) {
        double[] leader = results.stream().filter(r -> r.leaderNanos != null).mapToDouble(r -> r.leaderNanos / 1e9)
                .sorted().toArray();
        double[] takeover = results.stream().filter(r -> r.takeoverNanos != null)
                .mapToDouble(r -> r.takeoverNanos / 1e9).sorted().toArray();
        long missed = results.size() - takeover.length;
        StringBuilder t = new StringBuilder("| metric | value | target |\n|---|---|---|\n");
        BenchTable.row(t, "setup", relays + " relays, relay.cluster.session-timeout " + sessionTimeout, "");
        BenchTable.row(t, "leader kills (each during a failover)", results.size() + (missed == 0 ? ""
                : " (" + missed + " without a takeover within " + TimeUnit.NANOSECONDS.toSeconds(TAKEOVER_TIMEOUT_NANOS)
                        + " s)"), "≥ 10");
        if (leader.length > 0) {
            BenchTable.row(t, "kill → a new leader (/health/leader 200), median", s(BenchTable.median(leader)), "");
            BenchTable.row(t, "kill → a new leader, max", s(leader[leader.length - 1]), "");
        }
        if (takeover.length > 0) {
            BenchTable.row(t, "kill → HAProxy on the new master, verified by the new leader, median",
                    s(BenchTable.median(takeover)), "");
            BenchTable.row(t, "kill → HAProxy on the new master, max", s(takeover[takeover.length - 1]),
                    "≤ session-timeout + 2 s");
        }
        BenchTable.row(t, "standby RSS (VmRSS)", standbyRss, "");
        return t.toString();
    }

    static String s(double seconds) {
        return String.format(Locale.ROOT, "%.2f s", seconds);
    }

    static long seconds(long s) {
        return s * 1_000_000_000L;
    }
}
