import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Failover propagation benchmark, run by bench/failover-latency on a sandbox it started with the relay running.
 * Launched as a single-file program with the relay's shaded jar (for Jedis) and bench/lib/BenchSentinels
 * (compiled by bench/lib/bench.sh) on the class path.
 *
 * <p>For each of N failovers ({@code SENTINEL FAILOVER mymaster}): the time from the first {@code +switch-master}
 * that any sentinel publishes (seen by one subscriber thread per sentinel) to the start of the first new client
 * connection through the HAProxy frontend that reaches the new master and has a write accepted there.
 *
 * <p>Arguments: sentinel ports (comma-separated), frontend port, N, relay log, relay pid, relay start-up ms,
 * file to write the result table to, how the relay runs (single, or the leader of a cluster; shown in the table).
 */
public class FailoverLatency {

    static final String MASTER = BenchSentinels.MASTER;
    static final String HOST = BenchSentinels.HOST;
    static final long TRIGGER_TIMEOUT_NANOS = seconds(30);
    static final long SWITCH_TIMEOUT_NANOS = seconds(30);
    /** After the first +switch-master: how long a new connection may take to reach the new master. */
    static final long FOLLOW_TIMEOUT_NANOS = seconds(30);
    static final long SETTLE_TIMEOUT_NANOS = seconds(60);
    /** Extra time after the sentinels look settled, before the next failover (per the benchmark's spec). */
    static final long SETTLE_EXTRA_MS = 1000;

    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            System.err.println("usage: FailoverLatency <sentinel-ports,...> <frontend-port> <failovers> <relay-log>"
                    + " <relay-pid> <relay-startup-ms> <table-file> <relay-mode>");
            System.exit(2);
        }
        int[] sentinels = Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray();
        int frontend = Integer.parseInt(args[1]);
        int failovers = Integer.parseInt(args[2]);
        Path relayLog = Path.of(args[3]);
        long relayPid = Long.parseLong(args[4]);
        long startupMillis = Long.parseLong(args[5]);
        Path tableFile = Path.of(args[6]);
        String relayMode = args[7];

        SwitchWatch watch = new SwitchWatch(sentinels);
        List<Result> results = new ArrayList<>();
        Exception aborted = null;
        try {
            watch.events.awaitSubscribed();
            String master = BenchSentinels.awaitSettled(sentinels, null, SETTLE_TIMEOUT_NANOS);
            System.out.println("latency = start of the first probe that wrote to the new master - arrival of the first"
                    + " +switch-master; probe gap = time since the probe before it started (that measurement's resolution)");
            for (int i = 1; i <= failovers; i++) {
                requireAlive(relayPid);
                watch.events.requireSubscribed();
                Result result = failover(i, sentinels, frontend, master, watch, relayLog);
                results.add(result);
                System.out.println(result.describe());
                master = result.switched.newMaster();
            }
        } catch (Exception e) {
            aborted = e;
            System.out.println("ABORTED after " + results.size() + " of " + failovers + " failovers: " + e.getMessage());
        }
        Files.writeString(tableFile, table(results, relayMode, startupMillis, BenchTable.rssMegabytes(relayPid)));
        boolean allFollowed = results.stream().allMatch(r -> r.latencyNanos != null);
        System.exit(aborted == null && allFollowed ? 0 : 1);
    }

    /**
     * One failover: trigger it, measure until a new connection through HAProxy wrote to the new master, then
     * wait until the sentinels have settled so the next one can start.
     */
    static Result failover(int number, int[] sentinels, int frontend, String oldMaster, SwitchWatch watch,
            Path relayLog) throws Exception {
        int sentinel = sentinels[(number - 1) % sentinels.length]; // take turns
        long logOffset = Files.size(relayLog);
        watch.reset();
        // Probing starts before the trigger so that no moment after +switch-master is missed.
        Prober prober = new Prober(frontend);
        prober.start();
        long triggered;
        Switch switched;
        try {
            triggered = BenchSentinels.triggerFailover(sentinel);
            switched = watch.awaitFirst(SWITCH_TIMEOUT_NANOS);
            if (switched == null) {
                throw new IllegalStateException("failover " + number + ": no +switch-master within "
                        + SWITCH_TIMEOUT_NANOS / 1_000_000_000 + " s of SENTINEL FAILOVER");
            }
            prober.follow(switched.newPort(), switched.nanos() + FOLLOW_TIMEOUT_NANOS);
        } catch (Exception e) {
            prober.cancel();
            throw e;
        } finally {
            prober.join(); // stops by itself once a write reached the new master, or at its deadline
        }
        BenchSentinels.awaitSettled(sentinels, switched.newMaster(), SETTLE_TIMEOUT_NANOS);
        Thread.sleep(SETTLE_EXTRA_MS);
        // read only now: the relay logs its update after HAProxy answered, which may be after the probe got through
        return new Result(number, oldMaster, switched, triggered, prober, RelayLine.find(relayLog, logOffset,
                switched.newMaster()));
    }

    static void requireAlive(long pid) {
        if (!Files.exists(Path.of("/proc/" + pid + "/status"))) {
            throw new IllegalStateException("the relay (pid " + pid + ") is no longer running");
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The first +switch-master of a failover: when it arrived, from which sentinel, and the addresses it names. */
    record Switch(long nanos, int sentinel, String oldMaster, String newMaster, int newPort) {
    }

    /** Keeps the first +switch-master of the current failover from the events of every sentinel. */
    static final class SwitchWatch {
        private final AtomicReference<Switch> first = new AtomicReference<>();
        final BenchSentinels.Events events;

        SwitchWatch(int[] sentinels) {
            events = new BenchSentinels.Events(sentinels, this::onEvent);
        }

        private void onEvent(BenchSentinels.Event event) {
            // "<master> <old ip> <old port> <new ip> <new port>"
            String[] parts = event.message().split(" ");
            if (event.channel().equals("+switch-master") && parts.length == 5 && parts[0].equals(MASTER)) {
                first.compareAndSet(null, new Switch(event.nanos(), event.sentinel(), parts[1] + ":" + parts[2],
                        parts[3] + ":" + parts[4], Integer.parseInt(parts[4])));
            }
        }

        void reset() {
            first.set(null);
        }

        Switch awaitFirst(long timeoutNanos) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutNanos;
            while (first.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            return first.get();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * Opens a fresh connection through the frontend every {@link #PROBE_INTERVAL_NANOS} (the time between two
     * probe starts is the resolution) and remembers, per Redis port, the start of the first probe whose write
     * that server accepted. Stops once that happened on the new master, or when cancelled. Paced rather than
     * back to back: ~7,000 connections a second compete for the two cores with the relay being measured and
     * made it several milliseconds slower than it is.
     */
    static final class Prober extends Thread {
        private static final long PROBE_INTERVAL_NANOS = 500_000;

        private final InetSocketAddress frontend;
        /** Port -> {start of the first probe that wrote there, start of the probe before it}. */
        final Map<Integer, long[]> firstWrite = new ConcurrentHashMap<>();
        private volatile int newMasterPort;
        private volatile long deadline = System.nanoTime() + TRIGGER_TIMEOUT_NANOS + SWITCH_TIMEOUT_NANOS
                + FOLLOW_TIMEOUT_NANOS;
        private volatile boolean cancelled;
        // written by this thread only, read after join()
        long probes;
        long noServer;
        long busyNanos;

        Prober(int frontendPort) {
            super("prober");
            this.frontend = new InetSocketAddress(HOST, frontendPort);
        }

        /** The new master is known: stop once a write reached it, or at {@code deadline}. */
        void follow(int port, long deadline) {
            this.newMasterPort = port;
            this.deadline = deadline;
        }

        void cancel() {
            cancelled = true;
        }

        double meanProbeMillis() {
            return probes == 0 ? 0 : busyNanos / 1e6 / probes;
        }

        @Override
        public void run() {
            long previousStart = 0;
            while (!cancelled && System.nanoTime() < deadline) {
                long start = System.nanoTime();
                int port = probe();
                busyNanos += System.nanoTime() - start;
                probes++;
                if (port > 0) {
                    long before = previousStart;
                    firstWrite.computeIfAbsent(port, p -> new long[] {start, before});
                } else if (port < 0) {
                    noServer++;
                }
                previousStart = start;
                if (newMasterPort != 0 && firstWrite.containsKey(newMasterPort)) {
                    return;
                }
                LockSupport.parkNanos(start + PROBE_INTERVAL_NANOS - System.nanoTime());
            }
        }

        /** The port of the server that accepted the write, 0 if a server refused it, -1 if none answered. */
        private int probe() {
            return BenchProbe.probe(frontend, BenchProbe.Check.WRITE);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * The relay's own lines for this failover: "decided: ... -> <new>, <ms> ms after <trigger>" (its resolver decided)
     * and "haproxy updated: ... -> <new> on ... <ms> ms after <trigger>" (HAProxy answered the write), both timed from
     * the arrival of the trigger at the relay.
     */
    record RelayLine(Double decidedMillis, Double updatedMillis, String trigger, long warnings) {
        private static final Pattern AFTER = Pattern.compile("(\\d+(?:\\.\\d+)?) ms after (\\S+)");

        static RelayLine find(Path log, long offset, String newMaster) throws IOException {
            String text;
            try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                byte[] bytes = new byte[(int) Math.max(0, file.length() - offset)];
                file.seek(offset);
                file.readFully(bytes);
                text = new String(bytes, StandardCharsets.UTF_8);
            }
            Double decided = null;
            Double updated = null;
            String trigger = null;
            long warnings = 0;
            for (String line : text.split("\n")) {
                if (line.contains(" WARN ") || line.contains(" ERROR ")) {
                    warnings++;
                }
                Matcher m = AFTER.matcher(line);
                if (decided == null && line.contains("decided: " + MASTER + " ")
                        && line.contains(" -> " + newMaster + ", ") && m.find()) {
                    decided = Double.valueOf(m.group(1));
                }
                if (updated == null && line.contains("haproxy updated: " + MASTER + " ")
                        && line.contains(" -> " + newMaster + " on ") && m.find()) {
                    updated = Double.valueOf(m.group(1));
                    trigger = m.group(2);
                }
            }
            return new RelayLine(decided, updated, trigger, warnings);
        }

        @Override
        public String toString() {
            String relay = updatedMillis == null ? "relay: no 'haproxy updated' line yet"
                    : "relay: decided " + decidedMillis + " ms, HAProxy updated " + updatedMillis + " ms after " + trigger;
            return warnings == 0 ? relay : relay + ", " + warnings + " WARN/ERROR lines in its log";
        }
    }

    /** What one failover measured. latencyNanos is null when no write reached the new master in time. */
    static final class Result {
        final int number;
        final String oldMaster;
        final Switch switched;
        final long triggeredNanos;
        final Long latencyNanos;
        final long gapNanos;
        final Prober prober;
        final RelayLine relay;

        Result(int number, String oldMaster, Switch switched, long triggeredNanos, Prober prober, RelayLine relay) {
            this.number = number;
            this.oldMaster = oldMaster;
            this.switched = switched;
            this.triggeredNanos = triggeredNanos;
            this.prober = prober;
            this.relay = relay;
            long[] write = prober.firstWrite.get(switched.newPort());
            this.latencyNanos = write == null ? null : write[0] - switched.nanos();
            // the new master became reachable after the previous probe started: that is this measurement's resolution
            this.gapNanos = write == null || write[1] == 0 ? 0 : write[0] - write[1];
        }

        String describe() {
            String moved = switched.oldMaster().equals(oldMaster) ? oldMaster + " -> " + switched.newMaster()
                    : oldMaster + " -> " + switched.newMaster() + " (the +switch-master named " + switched.oldMaster()
                            + " as old)";
            String latency = latencyNanos == null ? "NOT FOLLOWED within " + FOLLOW_TIMEOUT_NANOS / 1_000_000_000 + " s"
                    : String.format(Locale.ROOT, "%7.2f ms (probe gap %.2f ms)", latencyNanos / 1e6, gapNanos / 1e6);
            return String.format(Locale.ROOT,
                    "failover %2d: %s  %s  | +switch-master %.2f s after SENTINEL FAILOVER, first from sentinel %d"
                            + " | %d probes, mean %.3f ms, %d reached no server | %s",
                    number, moved, latency, (switched.nanos() - triggeredNanos) / 1e9, switched.sentinel(),
                    prober.probes, prober.meanProbeMillis(), prober.noServer, relay);
        }
    }

    static String table(List<Result> results, String relayMode, long startupMillis, double rssMegabytes) {
        double[] millis = results.stream().filter(r -> r.latencyNanos != null)
                .mapToDouble(r -> r.latencyNanos / 1e6).sorted().toArray();
        long probes = results.stream().mapToLong(r -> r.prober.probes).sum();
        long busyNanos = results.stream().mapToLong(r -> r.prober.busyNanos).sum();
        long missed = results.size() - millis.length;
        StringBuilder t = new StringBuilder("| metric | value | target |\n|---|---|---|\n");
        BenchTable.row(t, "relay", relayMode, "");
        BenchTable.row(t, "failovers", results.size() + (missed == 0 ? "" : " (" + missed + " not followed within "
                + FOLLOW_TIMEOUT_NANOS / 1_000_000_000 + " s)"), "");
        if (millis.length > 0) {
            BenchTable.row(t, "+switch-master → new connection on new master, min", ms(millis[0]), "");
            BenchTable.row(t, "median", ms(BenchTable.median(millis)), "≤ 2 ms");
            BenchTable.row(t, "p95", ms(BenchTable.percentile(millis, 0.95)), "≤ 10 ms");
            BenchTable.row(t, "max", ms(millis[millis.length - 1]), "");
        }
        double[] decided = results.stream().filter(r -> r.relay.decidedMillis() != null)
                .mapToDouble(r -> r.relay.decidedMillis()).sorted().toArray();
        double[] updated = results.stream().filter(r -> r.relay.updatedMillis() != null)
                .mapToDouble(r -> r.relay.updatedMillis()).sorted().toArray();
        if (decided.length > 0 && updated.length > 0) {
            BenchTable.row(t, "relay (its log): trigger → decided, median", ms(BenchTable.median(decided)), "");
            BenchTable.row(t, "relay (its log): trigger → HAProxy updated, median", ms(BenchTable.median(updated)), "");
        }
        if (probes > 0) {
            BenchTable.row(t, "probe (new connection + INFO + SET) duration, mean",
                    String.format(Locale.ROOT, "%.3f ms", busyNanos / 1e6 / probes), "≤ 1 ms");
        }
        BenchTable.row(t, "relay start-up to ready", String.format(Locale.ROOT, "%.2f s", startupMillis / 1000.0),
                "≤ 3 s");
        BenchTable.row(t, "relay RSS after the run", rssMegabytes < 0 ? "relay not running"
                : String.format(Locale.ROOT, "%.0f MB", rssMegabytes), "≤ 256 MB");
        return t.toString();
    }

    static String ms(double millis) {
        return String.format(Locale.ROOT, "%.1f ms", millis);
    }

    static long seconds(long s) {
        return s * 1_000_000_000L;
    }
}
