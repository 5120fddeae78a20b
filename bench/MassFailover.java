import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Many-masters failover benchmark, run by bench/mass-failover on the sandbox of bench/lib/mass-sandbox.sh (N masters
 * with one replica each, three sentinels, one or more HAProxies in addr mode with a frontend per master). Launched
 * as a single-file program with the relay's jar (Jedis) and bench/lib/Bench*.java on the class path, once per step:
 *
 * <ul>
 * <li>{@code settle}: waits until every sentinel sees every master with its replica and the other sentinels, and
 * every frontend reaches its master;</li>
 * <li>{@code kill}: SIGKILLs every master at once;</li>
 * <li>{@code graceful}: sends {@code SENTINEL FAILOVER} for every master at once (the sentinels taking turns);</li>
 * <li>{@code table}: writes the markdown table from the phases' rows, the relay's start-up time and its RSS.</li>
 * </ul>
 *
 * <p>A phase measures, per master, from the first {@code +switch-master} any sentinel publishes for that master (one
 * subscriber per sentinel) to HAProxy holding the new master, seen from HAProxy's side: the first
 * {@code show servers state} answer (polled on one interactive runtime API session per HAProxy, for every master at
 * once) in which the master's server entry names the new master's address and is not in maintenance; with several
 * HAProxies, to the last of them. Then it waits until the sentinels settled and checks that every frontend reaches
 * the master they name, with a client connection through it and {@code ROLE} ("correct at the end"), and writes its
 * table rows to a file.
 *
 * <p>Arguments: {@code settle <sentinel-ports,...> <masters.tsv>};
 * {@code kill|graceful <sentinel-ports,...> <masters.tsv> <admin-sockets,...> <pids-dir> <relay-pid> <rows-file>}
 * (the HAProxies' runtime API unix sockets);
 * {@code table <table-file> <setup> <relay-pid> <relay-startup-ms> <rows-file>...}.
 */
public class MassFailover {

    static final String HOST = BenchSentinels.HOST;
    static final long SETTLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);
    /**
     * From the kill or the trigger until every master was followed. Long: a sentinel that lost the election for a
     * master retries only after twice its failover-timeout (20 s in this sandbox), and simultaneous failovers make
     * lost elections likely.
     */
    static final long FOLLOW_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);
    /** Between two polls of an HAProxy while a master waits for it: the resolution, plus one runtime API round trip. */
    static final long POLL_INTERVAL_NANOS = 200_000;
    /** Between two polls while no master waits (a +switch-master wakes the pollers at once). */
    static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    static final int WARM_UP_POLLS = 500;
    static final String SHOW_SERVERS_STATE = "show servers state";
    /** The server entry of every master's backend (bench/lib/mass-sandbox.sh, from config/haproxy/addr.cfg). */
    static final String SERVER = "master";

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        switch (mode) {
            case "settle" -> {
                requireArgs(args, 3);
                settle(ports(args[1]), Master.read(Path.of(args[2])));
            }
            case "kill", "graceful" -> {
                requireArgs(args, 7);
                boolean complete = phase(mode.equals("kill"), ports(args[1]), Master.read(Path.of(args[2])),
                        paths(args[3]), Path.of(args[4]), Long.parseLong(args[5]), Path.of(args[6]));
                System.exit(complete ? 0 : 1);
            }
            case "table" -> {
                if (args.length < 5) {
                    usage();
                }
                table(Path.of(args[1]), args[2], Long.parseLong(args[3]), Long.parseLong(args[4]),
                        Arrays.copyOfRange(args, 5, args.length));
            }
            default -> usage();
        }
    }

    static void requireArgs(String[] args, int count) {
        if (args.length != count) {
            usage();
        }
    }

    static void usage() {
        System.err.println("usage: MassFailover settle <sentinel-ports,...> <masters.tsv>\n"
                + "       MassFailover kill|graceful <sentinel-ports,...> <masters.tsv> <admin-sockets,...> <pids-dir>"
                + " <relay-pid> <rows-file>\n"
                + "       MassFailover table <table-file> <setup> <relay-pid> <relay-startup-ms> <rows-file>...");
        System.exit(2);
    }

    static int[] ports(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    static Path[] paths(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(Path::of).toArray(Path[]::new);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A master of the sandbox: its name, its two Redis servers' ports, its frontend on each HAProxy. */
    record Master(String name, int[] redisPorts, int[] frontends) {

        static List<Master> read(Path file) throws IOException {
            List<Master> masters = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split("\t");
                masters.add(new Master(f[0], new int[] {Integer.parseInt(f[1]), Integer.parseInt(f[2])},
                        ports(f[3])));
            }
            return masters;
        }
    }

    /**
     * Until every sentinel names the same master for each, with its one replica healthy ({@code expected}: the
     * "ip:port" each must name, or null for any; {@code replicas} 0 while the old masters are dead), and every
     * frontend reaches it. Returns the masters' ports in the order of {@code masters}.
     */
    static int[] awaitSettled(int[] sentinels, List<Master> masters, String[] expected, int replicas)
            throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT_NANOS;
        int[] verified = new int[masters.size()];
        for (int i = 0; i < masters.size(); i++) {
            String named = BenchSentinels.awaitSettled(sentinels, masters.get(i).name(), replicas,
                    expected == null ? null : expected[i], Math.max(0, deadline - System.nanoTime()));
            verified[i] = Integer.parseInt(named.substring(named.lastIndexOf(':') + 1));
        }
        return verified;
    }

    /** How many frontends reach the master the sentinels named for theirs (verified: the masters' ports). */
    static int correctFrontends(List<Master> masters, int[] verified) {
        int correct = 0;
        for (int i = 0; i < masters.size(); i++) {
            for (int frontend : masters.get(i).frontends()) {
                if (BenchProbe.probe(new InetSocketAddress(HOST, frontend), BenchProbe.Check.ROLE) == verified[i]) {
                    correct++;
                }
            }
        }
        return correct;
    }

    /** The master's backend on every HAProxy (bench/lib/mass-sandbox.sh). */
    static String backend(String master) {
        return "redis_" + master;
    }

    static int frontendCount(List<Master> masters) {
        return masters.stream().mapToInt(m -> m.frontends().length).sum();
    }

    static void settle(int[] sentinels, List<Master> masters) throws InterruptedException {
        int[] verified = awaitSettled(sentinels, masters, null, 1);
        long deadline = System.nanoTime() + SETTLE_TIMEOUT_NANOS;
        int correct;
        while ((correct = correctFrontends(masters, verified)) < frontendCount(masters)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + correct + " of " + frontendCount(masters)
                        + " frontends reach their master");
            }
            Thread.sleep(200);
        }
        System.out.println("settled: " + masters.size() + " masters, each with its replica; " + correct
                + " frontends reach their master");
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * One phase; writes its rows and returns whether every master was followed and every frontend was correct at
     * the end.
     */
    static boolean phase(boolean kill, int[] sentinels, List<Master> masters, Path[] adminSockets, Path pidsDir,
            long relayPid, Path rowsFile) throws Exception {
        String title = kill ? "every master SIGKILLed at once" : "every master failed over gracefully at once";
        Map<String, Master> byName = new ConcurrentHashMap<>();
        masters.forEach(m -> byName.put(m.name(), m));
        Follower follower = new Follower(byName, adminSockets, relayPid);
        BenchSentinels.Events events = new BenchSentinels.Events(sentinels, follower::onEvent);
        events.awaitSubscribed();
        int[] before = awaitSettled(sentinels, masters, null, 1);
        follower.startPollers();

        long started = System.nanoTime();
        if (kill) {
            for (int i = 0; i < masters.size(); i++) {
                Path pidFile = pidsDir.resolve("redis-" + before[i] + ".pid");
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
            }
        } else {
            triggerAll(sentinels, masters);
        }
        System.out.printf(Locale.ROOT, "%s: %s in %.1f ms%n", title, kill ? "killed" : "triggered",
                (System.nanoTime() - started) / 1e6);
        boolean allFollowed = follower.await(started + FOLLOW_TIMEOUT_NANOS);
        events.requireSubscribed();

        // settled: the new masters named by every sentinel; after the kill their replicas (the old masters) are down
        String[] expected = new String[masters.size()];
        for (int i = 0; i < masters.size(); i++) {
            Switch s = follower.switches.get(masters.get(i).name());
            expected[i] = s == null ? null : HOST + ":" + s.newPort();
        }
        int correct;
        String unsettled = "";
        try {
            correct = correctFrontends(masters, awaitSettled(sentinels, masters, expected, kill ? 0 : 1));
        } catch (IllegalStateException e) {
            correct = 0;
            unsettled = " (" + e.getMessage() + ")";
        }

        List<Double> millis = new ArrayList<>();
        List<Double> gaps = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        for (Master m : masters) {
            Held last = follower.lastHeld(m);
            if (last == null) {
                missed.add(m.name());
                System.out.println("  " + m.name() + ": NOT FOLLOWED");
            } else {
                Switch s = follower.switches.get(m.name());
                millis.add((last.nanos() - s.nanos()) / 1e6);
                gaps.add(last.gapNanos() / 1e6);
                System.out.printf(Locale.ROOT, "  %s: +switch-master to port %d %.2f s after the %s, HAProxy on it"
                        + " %.2f ms later (poll gap %.2f ms)%n", m.name(), s.newPort(), (s.nanos() - started) / 1e9,
                        kill ? "kill" : "trigger", (last.nanos() - s.nanos()) / 1e6, last.gapNanos() / 1e6);
            }
        }
        String phase = kill ? "kill" : "graceful";
        StringBuilder rows = new StringBuilder();
        BenchTable.row(rows, "**" + phase + "**: " + title, "", "");
        BenchTable.row(rows, phase + ": masters followed within " + TimeUnit.NANOSECONDS.toSeconds(FOLLOW_TIMEOUT_NANOS)
                + " s", millis.size() + " of " + masters.size() + (missed.isEmpty() ? "" : " (missed: "
                        + String.join(", ", missed) + ")"), "all");
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length > 0) {
            String metric = phase + ": +switch-master → HAProxy on the new master";
            BenchTable.row(rows, metric + ", p50", ms(BenchTable.median(sorted)), "≤ 10 ms");
            BenchTable.row(rows, metric + ", p95", ms(BenchTable.percentile(sorted, 0.95)), "≤ 20 ms");
            BenchTable.row(rows, metric + ", max", ms(sorted[sorted.length - 1]), "≤ 50 ms");
            double[] gapsSorted = gaps.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            BenchTable.row(rows, phase + ": poll gap (resolution), p50 / max", ms(BenchTable.median(gapsSorted))
                    + " / " + ms(gapsSorted[gapsSorted.length - 1]), "");
        }
        BenchTable.row(rows, phase + ": " + (kill ? "kill" : "SENTINEL FAILOVER") + " → first / last +switch-master",
                follower.spread(started), "");
        BenchTable.row(rows, phase + ": sentinel elections lost (-failover-abort-not-elected)",
                String.valueOf(follower.notElected.get()), "");
        BenchTable.row(rows, phase + ": all " + masters.size() + " correct at the end (frontends on the verified master)",
                (correct == frontendCount(masters) ? "yes" : "NO") + ", " + correct + " of " + frontendCount(masters)
                        + " frontends" + unsettled, "yes");
        Files.writeString(rowsFile, rows);
        System.out.print(rows);
        return missed.isEmpty() && correct == frontendCount(masters);
    }

    /** SENTINEL FAILOVER for every master from one thread each, released together; the sentinels take turns. */
    static void triggerAll(int[] sentinels, List<Master> masters) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(masters.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> sent = new ArrayList<>();
            for (int i = 0; i < masters.size(); i++) {
                int sentinel = sentinels[i % sentinels.length];
                String name = masters.get(i).name();
                sent.add(pool.submit(() -> {
                    go.await();
                    return BenchSentinels.triggerFailover(sentinel, name);
                }));
            }
            go.countDown();
            for (Future<Long> f : sent) {
                f.get(); // a failure to trigger ends the phase
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The first +switch-master of a master in this phase: when it arrived and the new master's port. */
    record Switch(long nanos, int newPort) {
    }

    /**
     * When a poller first saw its HAProxy hold a master's new master (the arrival of that answer), and the
     * measurement's resolution there: the time since the later of the poller's previous answer and the switch.
     */
    record Held(long nanos, long gapNanos) {
    }

    /**
     * Follows every master: from its first +switch-master it waits until every HAProxy holds its new master. One
     * poller per HAProxy asks {@code show servers state} on one interactive runtime API session (every backend in one
     * answer) every {@link #POLL_INTERVAL_NANOS} while a master waits, woken at once by a +switch-master; a master's
     * server entry counts as held when it names the new master's address and is not in maintenance.
     */
    static final class Follower {
        final Map<String, Master> masters;
        final Path[] haproxies;
        final Map<String, Switch> switches = new ConcurrentHashMap<>();
        /** Per master that switched, per HAProxy: when it was first seen holding the new master (null: not yet). */
        final Map<String, Held[]> held = new ConcurrentHashMap<>();
        final List<Thread> pollers = new CopyOnWriteArrayList<>();
        final CountDownLatch remaining;
        final AtomicInteger notElected = new AtomicInteger();
        final AtomicLong firstSwitch = new AtomicLong();
        final AtomicLong lastSwitch = new AtomicLong();
        final AtomicReference<Exception> pollFailure = new AtomicReference<>();
        final long relayPid;

        Follower(Map<String, Master> masters, Path[] adminSockets, long relayPid) {
            this.masters = masters;
            this.haproxies = adminSockets;
            this.remaining = new CountDownLatch(masters.size() * haproxies.length);
            this.relayPid = relayPid;
        }

        void onEvent(BenchSentinels.Event event) {
            // "<master> <old ip> <old port> <new ip> <new port>"; -failover-abort-not-elected: "master <name> <ip> <port>"
            String[] parts = event.message().split(" ");
            if (event.channel().equals("-failover-abort-not-elected")) {
                notElected.incrementAndGet();
            }
            if (!event.channel().equals("+switch-master") || parts.length != 5 || !masters.containsKey(parts[0])) {
                return;
            }
            Switch s = new Switch(event.nanos(), Integer.parseInt(parts[4]));
            if (switches.putIfAbsent(parts[0], s) != null) {
                return;
            }
            firstSwitch.compareAndSet(0, s.nanos());
            lastSwitch.set(s.nanos());
            held.put(parts[0], new Held[haproxies.length]);
            pollers.forEach(LockSupport::unpark);
        }

        /** Opens every HAProxy's session and polls it a few hundred times (compiled before the measurement). */
        void startPollers() throws IOException {
            for (int h = 0; h < haproxies.length; h++) {
                BenchHaproxy session = new BenchHaproxy(haproxies[h]);
                for (int i = 0; i < WARM_UP_POLLS; i++) {
                    BenchHaproxy.serverEntries(session.command(SHOW_SERVERS_STATE), SERVER);
                }
                int haproxy = h;
                Thread poller = new Thread(() -> poll(haproxy, session), "poller-" + h);
                poller.setDaemon(true); // ends with the program
                pollers.add(poller);
            }
            pollers.forEach(Thread::start);
        }

        private void poll(int h, BenchHaproxy session) {
            long previous = System.nanoTime();
            try (session) {
                while (true) {
                    String reply = session.command(SHOW_SERVERS_STATE);
                    long arrived = System.nanoTime();
                    Map<String, String> entries = BenchHaproxy.serverEntries(reply, SERVER);
                    boolean waiting = false;
                    for (Map.Entry<String, Held[]> master : held.entrySet()) {
                        Held[] byHaproxy = master.getValue();
                        if (byHaproxy[h] != null) {
                            continue;
                        }
                        Switch s = switches.get(master.getKey());
                        if ((HOST + ":" + s.newPort() + " 0").equals(entries.get(backend(master.getKey())))) {
                            // the later of the previous answer and the switch (nanoTime: compared by difference)
                            long since = previous - s.nanos() > 0 ? previous : s.nanos();
                            byHaproxy[h] = new Held(arrived, arrived - since);
                            remaining.countDown();
                        } else {
                            waiting = true;
                        }
                    }
                    previous = arrived;
                    // idle: a poll now and then keeps the session open (HAProxy's CLI times out an idle one)
                    LockSupport.parkNanos(waiting ? POLL_INTERVAL_NANOS : IDLE_POLL_NANOS);
                }
            } catch (IOException e) {
                pollFailure.set(e);
            }
        }

        /**
         * Whether every HAProxy held every master's new master before {@code deadline}; fails if the relay exits or
         * a poller lost its session.
         */
        boolean await(long deadline) throws Exception {
            while (remaining.getCount() > 0 && System.nanoTime() < deadline) {
                remaining.await(1, TimeUnit.SECONDS);
                if (ProcessHandle.of(relayPid).filter(ProcessHandle::isAlive).isEmpty()) {
                    throw new IllegalStateException("the relay (pid " + relayPid + ") is no longer running");
                }
                if (pollFailure.get() != null) {
                    throw pollFailure.get();
                }
                System.out.println("  " + switches.size() + " of " + masters.size() + " masters switched, "
                        + remaining.getCount() + " server entries still on the way");
            }
            return remaining.getCount() == 0;
        }

        /** The HAProxy that held the master's new master last, or null if one never did. */
        Held lastHeld(Master master) {
            Held[] byHaproxy = held.get(master.name());
            if (byHaproxy == null || Arrays.stream(byHaproxy).anyMatch(Objects::isNull)) {
                return null;
            }
            return Arrays.stream(byHaproxy).max(Comparator.comparingLong(Held::nanos)).orElseThrow();
        }

        String spread(long started) {
            return firstSwitch.get() == 0 ? "none" : String.format(Locale.ROOT, "%.2f s / %.2f s",
                    (firstSwitch.get() - started) / 1e9, (lastSwitch.get() - started) / 1e9);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    static void table(Path tableFile, String setup, long relayPid, long startupMillis, String[] rowsFiles)
            throws IOException {
        StringBuilder t = new StringBuilder("| metric | value | target |\n|---|---|---|\n");
        BenchTable.row(t, "setup", setup, "");
        for (String file : rowsFiles) {
            Path rows = Path.of(file);
            t.append(Files.exists(rows) ? Files.readString(rows)
                    : "| " + rows.getFileName() + " | no result: the phase did not run or complete (see above) | |\n");
        }
        BenchTable.row(t, "relay start-up to ready (including the warm-up)",
                String.format(Locale.ROOT, "%.2f s", startupMillis / 1000.0), "≤ 3 s");
        double rss = BenchTable.rssMegabytes(relayPid);
        BenchTable.row(t, "relay RSS after the run", rss < 0 ? "relay not running"
                : String.format(Locale.ROOT, "%.0f MB", rss), "≤ 256 MB");
        Files.writeString(tableFile, t);
    }

    static String ms(double millis) {
        return String.format(Locale.ROOT, "%.1f ms", millis);
    }
}
