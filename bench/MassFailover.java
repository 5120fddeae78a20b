import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
 * <p>A phase measures, per master, what bench/FailoverLatency.java measures for one: from the first
 * {@code +switch-master} any sentinel publishes for that master (one subscriber per sentinel) to the start of the
 * first new connection through the master's frontend that reaches the new master's port and gets {@code ROLE}
 * master there; with several HAProxies, to the last of its frontends to get there. Then it waits until the sentinels
 * settled and checks that every frontend reaches the master they name ("correct at the end"), and writes its table
 * rows to a file.
 *
 * <p>Arguments: {@code settle <sentinel-ports,...> <masters.tsv>};
 * {@code kill|graceful <sentinel-ports,...> <masters.tsv> <pids-dir> <relay-pid> <rows-file>};
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
    /** Probers shared by every frontend still waiting for its new master. */
    static final int PROBERS = 4;
    /** The shortest time between two probes of one frontend (bench/FailoverLatency.java's interval). */
    static final long PROBE_INTERVAL_NANOS = 500_000;
    static final int WARM_UP_PROBES = 2000;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        switch (mode) {
            case "settle" -> {
                requireArgs(args, 3);
                settle(ports(args[1]), Master.read(Path.of(args[2])));
            }
            case "kill", "graceful" -> {
                requireArgs(args, 6);
                boolean complete = phase(mode.equals("kill"), ports(args[1]), Master.read(Path.of(args[2])),
                        Path.of(args[3]), Long.parseLong(args[4]), Path.of(args[5]));
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
                + "       MassFailover kill|graceful <sentinel-ports,...> <masters.tsv> <pids-dir> <relay-pid>"
                + " <rows-file>\n"
                + "       MassFailover table <table-file> <setup> <relay-pid> <relay-startup-ms> <rows-file>...");
        System.exit(2);
    }

    static int[] ports(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).mapToInt(Integer::parseInt).toArray();
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
    static boolean phase(boolean kill, int[] sentinels, List<Master> masters, Path pidsDir, long relayPid,
            Path rowsFile) throws Exception {
        String title = kill ? "every master SIGKILLed at once" : "every master failed over gracefully at once";
        Map<String, Master> byName = new ConcurrentHashMap<>();
        masters.forEach(m -> byName.put(m.name(), m));
        Follower follower = new Follower(byName, frontendCount(masters), relayPid);
        BenchSentinels.Events events = new BenchSentinels.Events(sentinels, follower::onEvent);
        events.awaitSubscribed();
        int[] before = awaitSettled(sentinels, masters, null, 1);
        warmUpProbes(masters);
        follower.startProbers();

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
            Target last = follower.lastFollowed(m);
            if (last == null) {
                missed.add(m.name());
                System.out.println("  " + m.name() + ": NOT FOLLOWED");
            } else {
                millis.add((last.hitNanos - last.switchNanos) / 1e6);
                gaps.add(last.gapNanos / 1e6);
                System.out.printf(Locale.ROOT, "  %s: +switch-master to port %d %.2f s after the %s, HAProxy on it"
                        + " %.2f ms later (probe gap %.2f ms, %d probes)%n", m.name(), last.newPort,
                        (last.switchNanos - started) / 1e9, kill ? "kill" : "trigger",
                        (last.hitNanos - last.switchNanos) / 1e6, last.gapNanos / 1e6, last.probes);
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
            BenchTable.row(rows, phase + ": probe gap (resolution), p50 / max", ms(BenchTable.median(gapsSorted))
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

    /**
     * Probes through every frontend, {@link #WARM_UP_PROBES} in all, so that the probe is compiled before the
     * measurement: a fresh JVM interprets it at first, and the first probes after a +switch-master would be slow.
     */
    static void warmUpProbes(List<Master> masters) {
        List<InetSocketAddress> frontends = masters.stream()
                .flatMap(m -> Arrays.stream(m.frontends()).mapToObj(p -> new InetSocketAddress(HOST, p))).toList();
        for (int i = 0; i < WARM_UP_PROBES; i++) {
            BenchProbe.probe(frontends.get(i % frontends.size()), BenchProbe.Check.ROLE);
        }
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
     * Follows every master: on its first +switch-master, one {@link Target} per frontend goes to a queue that the
     * probers share, each due again {@link #PROBE_INTERVAL_NANOS} after its last probe, until a probe reached the
     * new master. With many frontends waiting at once each is probed less often; the gap between a frontend's last
     * two probes (its resolution) is reported.
     */
    static final class Follower {
        final Map<String, Master> masters;
        final Map<String, Switch> switches = new ConcurrentHashMap<>();
        final Map<String, List<Target>> targets = new ConcurrentHashMap<>();
        final DelayQueue<Target> due = new DelayQueue<>();
        final CountDownLatch remaining;
        final AtomicInteger notElected = new AtomicInteger();
        final AtomicLong firstSwitch = new AtomicLong();
        final AtomicLong lastSwitch = new AtomicLong();
        final long relayPid;

        Follower(Map<String, Master> masters, int frontends, long relayPid) {
            this.masters = masters;
            this.remaining = new CountDownLatch(frontends);
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
            List<Target> list = new ArrayList<>();
            for (int frontend : masters.get(parts[0]).frontends()) {
                list.add(new Target(new InetSocketAddress(HOST, frontend), s.nanos(), s.newPort()));
            }
            targets.put(parts[0], list);
            due.addAll(list);
        }

        void startProbers() {
            for (int i = 0; i < PROBERS; i++) {
                Thread prober = new Thread(this::probe, "prober-" + i);
                prober.setDaemon(true); // ends with the program
                prober.start();
            }
        }

        private void probe() {
            try {
                while (true) {
                    Target target = due.take();
                    if (target.probe()) {
                        remaining.countDown();
                    } else {
                        due.add(target);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Whether every frontend reached its new master before {@code deadline}; fails if the relay exits. */
        boolean await(long deadline) throws InterruptedException {
            while (remaining.getCount() > 0 && System.nanoTime() < deadline) {
                remaining.await(1, TimeUnit.SECONDS);
                if (ProcessHandle.of(relayPid).filter(ProcessHandle::isAlive).isEmpty()) {
                    throw new IllegalStateException("the relay (pid " + relayPid + ") is no longer running");
                }
                System.out.println("  " + switches.size() + " of " + masters.size() + " masters switched, "
                        + remaining.getCount() + " frontends still on the way");
            }
            return remaining.getCount() == 0;
        }

        /** The frontend of {@code master} that reached its new master last, or null if one never did. */
        Target lastFollowed(Master master) {
            List<Target> list = targets.get(master.name());
            if (list == null || list.stream().anyMatch(t -> t.hitNanos == 0)) {
                return null;
            }
            return list.stream().max((a, b) -> Long.compare(a.hitNanos, b.hitNanos)).orElseThrow();
        }

        String spread(long started) {
            return firstSwitch.get() == 0 ? "none" : String.format(Locale.ROOT, "%.2f s / %.2f s",
                    (firstSwitch.get() - started) / 1e9, (lastSwitch.get() - started) / 1e9);
        }
    }

    /** One frontend waiting for its master's new address; probed by one prober at a time (the queue hands it out). */
    static final class Target implements Delayed {
        final InetSocketAddress frontend;
        final long switchNanos;
        final int newPort;
        volatile long nextNanos;
        volatile long previousStart;
        volatile long hitNanos;
        volatile long gapNanos;
        volatile int probes;

        Target(InetSocketAddress frontend, long switchNanos, int newPort) {
            this.frontend = frontend;
            this.switchNanos = switchNanos;
            this.newPort = newPort;
            this.nextNanos = switchNanos;
        }

        /** Probes once; true when the new master was reached (the probe's start is then the hit). */
        boolean probe() {
            long start = System.nanoTime();
            boolean hit = BenchProbe.probe(frontend, BenchProbe.Check.ROLE) == newPort;
            if (hit) {
                hitNanos = start;
                gapNanos = previousStart == 0 ? 0 : start - previousStart;
            }
            previousStart = start;
            probes++; // one prober at a time has this target
            nextNanos = start + PROBE_INTERVAL_NANOS;
            return hit;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(nextNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(nextNanos, ((Target) other).nextNanos);
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
