import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

/**
 * Soak and comparison, run by bench/soak on a sandbox it started with the relay and a second HAProxy configured
 * with the plain tcp-check recipe (bench/tcp-check-recipe.cfg). Launched as a single-file program with the relay's
 * shaded jar (for Jedis) and bench/lib/BenchSentinels (compiled by bench/lib/bench.sh) on the class path.
 *
 * <p>Two writers, one through each HAProxy, write numbered keys at a fixed rate for the whole run while K failovers
 * happen in a fixed rotation: graceful ({@code SENTINEL FAILOVER}), the master killed with SIGKILL (restarted once
 * Sentinel switched, still believing it is master, as after a crash), the master frozen with SIGSTOP until Sentinel
 * switched. A master timeline from the sentinels' own events and the signals sent here tells, for every
 * acknowledged write, whether the server that acknowledged it was the master at that moment.
 *
 * <p>Arguments: sentinel ports, redis ports (redis-1,redis-2,redis-3), sandbox dir, relay frontend port, recipe
 * frontend port, K, writes per second per writer, relay pid, file to write the result table to.
 */
public class Soak {

    static final String MASTER = BenchSentinels.MASTER;
    static final String HOST = BenchSentinels.HOST;
    /** The writers' connect and read timeout: a frozen server costs a writer this much per attempt. */
    static final int WRITE_TIMEOUT_MS = 300;
    static final long SWITCH_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    static final long SETTLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(90);
    /** After the sentinels settled: the recipe's checks need rise 2 x inter 1 s to take a changed server in. */
    static final long SETTLE_EXTRA_MS = 2500;
    /**
     * The target's margin over Sentinel's own window. Both windows are taken from the same start, so the target is:
     * the new master took the writer's writes within this margin of the first +switch-master. (A writer's window may
     * start a few ms before the loss as stamped here: kill(1) delivers the signal before it returns.)
     */
    static final long WINDOW_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final double MAX_LOST_PER_FAILOVER = 2;

    enum Kind {
        GRACEFUL("graceful"), SIGKILL("SIGKILL"), SIGSTOP("SIGSTOP");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 9) {
            System.err.println("usage: Soak <sentinel-ports,...> <redis-ports,...> <sandbox-dir> <relay-frontend-port>"
                    + " <recipe-frontend-port> <failovers> <writes-per-second> <relay-pid> <table-file>");
            System.exit(2);
        }
        int[] sentinels = ports(args[0]);
        int[] redis = ports(args[1]);
        Path sandbox = Path.of(args[2]);
        int relayFrontend = Integer.parseInt(args[3]);
        int recipeFrontend = Integer.parseInt(args[4]);
        int k = Integer.parseInt(args[5]);
        int rate = Integer.parseInt(args[6]);
        long relayPid = Long.parseLong(args[7]);
        Path tableFile = Path.of(args[8]);

        Timeline timeline = new Timeline(sentinels);
        timeline.events.awaitSubscribed();
        int initialMaster = awaitSettled(sentinels, 0);
        Writer relay = new Writer("relay", relayFrontend, rate);
        Writer recipe = new Writer("recipe", recipeFrontend, rate);
        List<Failover> failovers = new ArrayList<>();
        Exception aborted = null;
        int master = initialMaster;
        relay.start();
        recipe.start();
        try {
            Thread.sleep(SETTLE_EXTRA_MS); // both writers on the master before the first failover
            for (int i = 1; i <= k; i++) {
                if (!Files.exists(Path.of("/proc/" + relayPid))) {
                    throw new IllegalStateException("the relay (pid " + relayPid + ") is no longer running");
                }
                timeline.events.requireSubscribed();
                Kind kind = Kind.values()[(i - 1) % Kind.values().length];
                Failover failover = failover(i, kind, master, sentinels, redis, sandbox, timeline);
                failovers.add(failover);
                System.out.println(failover.describe());
                master = failover.settledPort;
            }
        } catch (Exception e) {
            aborted = e;
            System.out.println("ABORTED after " + failovers.size() + " of " + k + " failovers: " + e);
        } finally {
            relay.finish();
            recipe.finish();
        }
        int finalMaster = aborted == null ? master : awaitSettled(sentinels, 0);
        List<Change> masters = timeline.masters(initialMaster, failovers);
        Result relayResult = new Result(relay, failovers, masters, finalMaster);
        Result recipeResult = new Result(recipe, failovers, masters, finalMaster);
        for (Failover f : failovers) {
            System.out.println(String.format(Locale.ROOT, "failover %2d %-8s Sentinel %s | relay %s | recipe %s",
                    f.number, f.kind.label, ms(f.sentinelWindow()), relayResult.describe(f), recipeResult.describe(f)));
        }
        // The raw data next to the table, to look into a failover after the run (times in ms since the start).
        relay.dump(tableFile.resolveSibling("writes-relay.tsv"), timeline.start);
        recipe.dump(tableFile.resolveSibling("writes-recipe.tsv"), timeline.start);
        timeline.dump(tableFile.resolveSibling("events.tsv"), failovers);
        String table = table(k, rate, failovers, relayResult, recipeResult);
        Files.writeString(tableFile, table);
        System.exit(aborted == null ? 0 : 1);
    }

    static int[] ports(String list) {
        return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * One failover caused here: the old master is lost at {@code lossNanos}, the promotion for a graceful failover,
     * for a kill or freeze the moment the signal was delivered (taken after kill(1) returned, so that no write the
     * old master really acknowledged is ever placed after it). {@code newPort} is the master named by the first
     * +switch-master; {@code settledPort} the one the sentinels agreed on once settled, which differs when Sentinel
     * failed over once more on its own ({@code sentinelFailovers} counts the promotions in this failover's phase).
     */
    record Failover(int number, Kind kind, int oldPort, int newPort, int settledPort, long triggerNanos,
            long lossNanos, long promotionNanos, long switchNanos, int sentinelFailovers) {

        /** Sentinel's own write-unavailability: from the master's loss to the first +switch-master. */
        long sentinelWindow() {
            return switchNanos - lossNanos;
        }

        String describe() {
            return String.format(Locale.ROOT, "failover %2d %-8s %d -> %d: promotion %s after the %s, first"
                    + " +switch-master %s after the promotion%s", number, kind.label, oldPort, newPort,
                    ms(promotionNanos - triggerNanos), kind == Kind.GRACEFUL ? "SENTINEL FAILOVER" : "signal",
                    ms(switchNanos - promotionNanos), settledPort == newPort && sentinelFailovers == 1 ? ""
                            : "; Sentinel failed over " + (sentinelFailovers - 1) + " more time(s) on its own, to "
                                    + settledPort);
        }
    }

    /** From {@code nanos} on, {@code port} is the master (0: none). */
    record Change(long nanos, int port) {
    }

    static Failover failover(int number, Kind kind, int oldPort, int[] sentinels, int[] redis, Path sandbox,
            Timeline timeline) throws Exception {
        String name = "redis-" + (indexOf(redis, oldPort) + 1); // bin/sandbox's name for it: its pid file, dir, log
        long trigger;
        long signalled = 0;
        BenchSentinels.Event switched;
        switch (kind) {
            case GRACEFUL -> {
                trigger = BenchSentinels.triggerFailover(sentinels[(number - 1) % sentinels.length]);
                switched = timeline.awaitSwitch(trigger);
            }
            case SIGKILL -> {
                trigger = System.nanoTime();
                signal(sandbox, name, "KILL");
                signalled = System.nanoTime();
                switched = timeline.awaitSwitch(trigger);
                restart(sandbox, name);
            }
            default -> {
                trigger = System.nanoTime();
                signal(sandbox, name, "STOP");
                signalled = System.nanoTime();
                try {
                    switched = timeline.awaitSwitch(trigger);
                } finally {
                    signal(sandbox, name, "CONT");
                }
            }
        }
        List<Change> promotions = timeline.promotions(trigger, switched.nanos());
        if (promotions.isEmpty()) {
            throw new IllegalStateException("failover " + number + ": +switch-master without a promotion seen before");
        }
        long promotion = promotions.get(0).nanos();
        int newPort = Integer.parseInt(switched.message().split(" ")[4]);
        int settledPort = awaitSettled(sentinels, 0);
        Thread.sleep(SETTLE_EXTRA_MS);
        return new Failover(number, kind, oldPort, newPort, settledPort, trigger,
                kind == Kind.GRACEFUL ? promotion : signalled, promotion, switched.nanos(),
                timeline.promotions(trigger, System.nanoTime()).size());
    }

    static int indexOf(int[] ports, int port) {
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] == port) {
                return i;
            }
        }
        throw new IllegalStateException("the master " + port + " is none of the sandbox's " + Arrays.toString(ports));
    }

    /** kill -s SIG on the PID in bin/sandbox's pid file, after checking that it is a redis-server. */
    static void signal(Path sandbox, String name, String signal) throws IOException, InterruptedException {
        String pid = Files.readString(sandbox.resolve("pids/" + name + ".pid")).trim();
        String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
        if (!cmdline.contains("redis-server")) {
            throw new IllegalStateException(name + ": pid " + pid + " is not a redis-server (" + cmdline + ")");
        }
        run("kill", "-s", signal, pid);
    }

    /**
     * Starts a killed server again as after a crash: a master in its own eyes (no --replicaof), from the configuration
     * bin/sandbox rendered for it, on stdin as bin/sandbox gives it (config/sandbox/README.md), so that Sentinel has to
     * turn it into a replica.
     */
    static void restart(Path sandbox, String name) throws IOException, InterruptedException {
        // stdout: only what it logs before it reads its logfile, as in bin/lib/common.sh's start_redis
        run(new ProcessBuilder("redis-server", "-").inheritIO().redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(sandbox.resolve(name).resolve("redis.conf").toFile()));
    }

    static void run(String... command) throws IOException, InterruptedException {
        run(new ProcessBuilder(command).inheritIO());
    }

    static void run(ProcessBuilder command) throws IOException, InterruptedException {
        Process process = command.start();
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command.command()) + " failed");
        }
    }

    /** BenchSentinels.awaitSettled for ports: the master's port; {@code expected} 0 for any. */
    static int awaitSettled(int[] sentinels, int expected) throws InterruptedException {
        String master = BenchSentinels.awaitSettled(sentinels, expected == 0 ? null : HOST + ":" + expected,
                SETTLE_TIMEOUT_NANOS);
        return Integer.parseInt(master.substring(master.lastIndexOf(':') + 1));
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Every event every sentinel publishes, with its arrival time. */
    static final class Timeline {
        private final List<BenchSentinels.Event> received = new CopyOnWriteArrayList<>();
        final long start = System.nanoTime();
        final BenchSentinels.Events events;

        Timeline(int[] sentinels) {
            events = new BenchSentinels.Events(sentinels, received::add);
        }

        void dump(Path file, List<Failover> failovers) throws IOException {
            StringBuilder out = new StringBuilder("ms\tsentinel\tchannel\tmessage\n");
            received.forEach(e -> out.append(String.format(Locale.ROOT, "%.3f\t%d\t%s\t%s%n", ms(e.nanos()),
                    e.sentinel(), e.channel(), e.message())));
            failovers.forEach(f -> out.append(String.format(Locale.ROOT, "%.3f\t-\tsoak-trigger\t%s%n"
                    + "%.3f\t-\tsoak-loss\t%s%n", ms(f.triggerNanos), f.describe(), ms(f.lossNanos), f.kind.label)));
            Files.writeString(file, out);
        }

        private double ms(long nanos) {
            return (nanos - start) / 1e6;
        }

        /**
         * The promotions in [from, to): when a failover leader sent SLAVEOF NO ONE (it publishes
         * +failover-state-wait-promotion right after; its +failover-state-send-slaveof-noone comes a timer tick
         * earlier, before anything was sent) and to which replica: "slave <ip:port> <ip> <port> @ <master> ...".
         */
        List<Change> promotions(long from, long to) {
            return received.stream().filter(e -> e.nanos() >= from && e.nanos() < to
                    && e.channel().equals("+failover-state-wait-promotion")
                    && e.message().contains(" @ " + MASTER + " "))
                    .map(e -> new Change(e.nanos(), Integer.parseInt(e.message().split(" ")[3]))).toList();
        }

        /** The master timeline: every promotion, and every master lost to a signal sent here (none until the next). */
        List<Change> masters(int initialMaster, List<Failover> failovers) {
            List<Change> changes = new ArrayList<>(promotions(start, Long.MAX_VALUE));
            changes.add(new Change(start, initialMaster));
            failovers.stream().filter(f -> f.kind != Kind.GRACEFUL)
                    .forEach(f -> changes.add(new Change(f.lossNanos, 0)));
            changes.sort(Comparator.comparingLong(Change::nanos));
            return changes;
        }

        /** The first +switch-master for our master after {@code from}: "<master> <old ip:port> <new ip:port>". */
        BenchSentinels.Event awaitSwitch(long from) throws InterruptedException {
            long deadline = System.nanoTime() + SWITCH_TIMEOUT_NANOS;
            while (System.nanoTime() < deadline) {
                for (BenchSentinels.Event e : received) {
                    if (e.nanos() >= from && e.channel().equals("+switch-master")
                            && e.message().startsWith(MASTER + " ")) {
                        return e;
                    }
                }
                Thread.sleep(1);
            }
            throw new IllegalStateException("no +switch-master within "
                    + TimeUnit.NANOSECONDS.toSeconds(SWITCH_TIMEOUT_NANOS) + " s");
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * Writes {@code SET soak:<name>:<n> <n>} through one HAProxy at a fixed rate and records every attempt: when it
     * was sent and answered, and which server acknowledged it (the {@code tcp_port} of {@code INFO server}, asked
     * once per connection: HAProxy keeps a TCP connection on one server), 0 when it was not acknowledged. Any error
     * drops the connection; the next attempt opens a new one through HAProxy. The pace is an absolute schedule
     * (attempt i is due at start + i / rate); slots that passed while an attempt was blocked are skipped.
     */
    static final class Writer extends Thread {
        private static final Pattern TCP_PORT = Pattern.compile("(?m)^tcp_port:(\\d+)");

        final String prefix;
        private final HostAndPort target;
        private final JedisClientConfig config;
        private final long periodNanos;
        private volatile boolean running = true;
        // written by this thread only, read after finish()
        long[] sent = new long[1 << 16];
        long[] answered = new long[1 << 16];
        int[] server = new int[1 << 16];
        int attempts;

        Writer(String name, int frontendPort, int writesPerSecond) {
            super("writer-" + name);
            this.prefix = "soak:" + name + ":";
            this.target = new HostAndPort(HOST, frontendPort);
            this.config = DefaultJedisClientConfig.builder().connectionTimeoutMillis(WRITE_TIMEOUT_MS)
                    // no CLIENT SETINFO on connect: a connection costs one round trip (INFO) before its first write
                    .socketTimeoutMillis(WRITE_TIMEOUT_MS).clientSetInfoConfig(ClientSetInfoConfig.DISABLED).build();
            this.periodNanos = TimeUnit.SECONDS.toNanos(1) / writesPerSecond;
        }

        @Override
        public void run() {
            Jedis jedis = null;
            int port = 0;
            long start = System.nanoTime();
            long slot = 0;
            while (running) {
                LockSupport.parkNanos(start + slot * periodNanos - System.nanoTime());
                long begin = System.nanoTime();
                int n = attempts + 1;
                int acknowledgedBy = 0;
                try {
                    if (jedis == null) {
                        jedis = new Jedis(target, config);
                        Matcher m = TCP_PORT.matcher(jedis.info("server"));
                        port = m.find() ? Integer.parseInt(m.group(1)) : 0;
                    }
                    if ("OK".equals(jedis.set(prefix + n, String.valueOf(n)))) {
                        acknowledgedBy = port;
                    }
                } catch (RuntimeException e) {
                    close(jedis);
                    jedis = null;
                }
                record(begin, System.nanoTime(), acknowledgedBy);
                slot = Math.max(slot + 1, (System.nanoTime() - start) / periodNanos + 1);
            }
            close(jedis);
        }

        private static void close(Jedis jedis) {
            if (jedis != null) {
                try {
                    jedis.close();
                } catch (RuntimeException ignored) {
                    // the connection is being dropped anyway
                }
            }
        }

        private void record(long begin, long end, int acknowledgedBy) {
            if (attempts == sent.length) {
                sent = Arrays.copyOf(sent, attempts * 2);
                answered = Arrays.copyOf(answered, attempts * 2);
                server = Arrays.copyOf(server, attempts * 2);
            }
            sent[attempts] = begin;
            answered[attempts] = end;
            server[attempts] = acknowledgedBy;
            attempts++;
        }

        /** One line per attempt: sent, answered, the port of the server that acknowledged it (0: not acknowledged). */
        void dump(Path file, long origin) throws IOException {
            StringBuilder out = new StringBuilder("n\tsent_ms\tanswered_ms\tserver\n");
            for (int i = 0; i < attempts; i++) {
                out.append(String.format(Locale.ROOT, "%d\t%.3f\t%.3f\t%d%n", i + 1, (sent[i] - origin) / 1e6,
                        (answered[i] - origin) / 1e6, server[i]));
            }
            Files.writeString(file, out);
        }

        void finish() throws InterruptedException {
            running = false;
            join();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** What one writer saw, held against the master timeline and the final master's data. */
    static final class Result {
        final Writer writer;
        final List<Failover> failovers;
        long acknowledged;
        long refused;
        long lost;
        long splitBrain;
        long splitBrainAfterSwitch;
        /**
         * Per failover (index = number - 1): lost and split-brain writes, the unavailability window and when it ended
         * (the answer to the first write the new master acknowledged; null: not within the failover's phase).
         */
        final long[] lostIn;
        final long[] splitBrainIn;
        final Long[] window;
        final Long[] reached;

        Result(Writer w, List<Failover> failovers, List<Change> masters, int finalMaster) {
            this.writer = w;
            this.failovers = failovers;
            lostIn = new long[failovers.size()];
            splitBrainIn = new long[failovers.size()];
            window = new Long[failovers.size()];
            reached = new Long[failovers.size()];
            boolean[] missing = missingOn(finalMaster);
            for (int i = 0; i < w.attempts; i++) {
                if (w.server[i] == 0) {
                    refused++;
                    continue;
                }
                acknowledged++;
                long at = w.answered[i];
                int during = failoverAt(at);
                if (missing[i]) {
                    lost++;
                    if (during >= 0) {
                        lostIn[during]++;
                    }
                }
                if (w.server[i] != masterAt(masters, at)) {
                    splitBrain++;
                    if (during >= 0) {
                        splitBrainIn[during]++;
                        splitBrainAfterSwitch += at >= failovers.get(during).switchNanos ? 1 : 0;
                    }
                }
            }
            for (int f = 0; f < failovers.size(); f++) {
                window(f, f + 1 < failovers.size() ? failovers.get(f + 1).triggerNanos : Long.MAX_VALUE);
            }
        }

        /** The failover whose phase (its trigger to the next one's) {@code nanos} falls in; -1 before the first. */
        private int failoverAt(long nanos) {
            int during = -1;
            for (int f = 0; f < failovers.size() && failovers.get(f).triggerNanos <= nanos; f++) {
                during = f;
            }
            return during;
        }

        /** The master's port at {@code nanos}, 0 between a master's loss and its successor's promotion. */
        private static int masterAt(List<Change> masters, long nanos) {
            int master = 0;
            for (int c = 0; c < masters.size() && masters.get(c).nanos() <= nanos; c++) {
                master = masters.get(c).port();
            }
            return master;
        }

        /**
         * From the first failed attempt after the trigger (or the master's loss, if earlier) to the answer of the first
         * write the new master acknowledged, before the next failover's trigger.
         */
        private void window(int index, long until) {
            Failover f = failovers.get(index);
            long start = f.lossNanos;
            for (int i = 0; i < writer.attempts && writer.sent[i] < until; i++) {
                if (writer.sent[i] < f.triggerNanos) {
                    continue;
                }
                if (writer.server[i] == 0) {
                    start = Math.min(start, writer.sent[i]);
                } else if (writer.server[i] == f.newPort && writer.answered[i] >= f.lossNanos) {
                    reached[index] = writer.answered[i];
                    window[index] = writer.answered[i] - start;
                    return;
                }
            }
        }

        /** Per attempt: acknowledged but missing on the final master (like WriteLossProbe.missingKeysOn). */
        private boolean[] missingOn(int finalMaster) {
            boolean[] missing = new boolean[writer.attempts];
            int chunk = 500;
            try (Jedis jedis = new Jedis(HOST, finalMaster, BenchSentinels.REDIS_TIMEOUT_MS)) {
                for (int from = 0; from < writer.attempts; from += chunk) {
                    int to = Math.min(writer.attempts, from + chunk);
                    String[] keys = new String[to - from];
                    for (int i = from; i < to; i++) {
                        keys[i - from] = writer.prefix + (i + 1);
                    }
                    List<String> values = jedis.mget(keys);
                    for (int i = from; i < to; i++) {
                        missing[i] = writer.server[i] != 0 && values.get(i - from) == null;
                    }
                }
            }
            return missing;
        }

        /** Failovers whose window missed Sentinel's + 50 ms (not measured counts as missed). */
        long windowsMissed() {
            return failovers.stream().filter(f -> reached[f.number - 1] == null
                    || reached[f.number - 1] - f.switchNanos > WINDOW_MARGIN_NANOS).count();
        }

        /** Per failover: from the first +switch-master to the writer's first write acknowledged by the new master. */
        Long[] afterSwitch() {
            return failovers.stream()
                    .map(f -> reached[f.number - 1] == null ? null : reached[f.number - 1] - f.switchNanos)
                    .toArray(Long[]::new);
        }

        String describe(Failover f) {
            int i = f.number - 1;
            return String.format(Locale.ROOT, "window %s, lost %d, split-brain %d",
                    window[i] == null ? "new master not reached" : ms(window[i]) + " (new master reached "
                            + ms(reached[i] - f.switchNanos) + " after +switch-master)", lostIn[i], splitBrainIn[i]);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    static String table(int k, int rate, List<Failover> failovers, Result relay, Result recipe) {
        int n = failovers.size();
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT,
                "Soak: %d of %d failovers, %d writes/s per writer, one writer through each HAProxy, same sandbox.%n%n",
                n, k, rate));
        t.append("| metric | relay (fencing on) | tcp-check recipe | target |\n|---|---|---|---|\n");
        row(t, "failovers: graceful / SIGKILL / SIGSTOP", byKind(failovers), byKind(failovers), "");
        row(t, "write attempts", relay.writer.attempts, recipe.writer.attempts, "");
        row(t, "acknowledged", relay.acknowledged, recipe.acknowledged, "");
        row(t, "refused or failed", relay.refused, recipe.refused, "");
        row(t, "lost acknowledged, total", relay.lost, recipe.lost, "");
        row(t, "lost acknowledged per failover, mean / max", perFailover(relay.lostIn), perFailover(recipe.lostIn),
                "relay ≤ 2");
        row(t, "split-brain writes (acknowledged by a non-master)", relay.splitBrain, recipe.splitBrain, "relay 0");
        row(t, "… of them after the first +switch-master", relay.splitBrainAfterSwitch,
                recipe.splitBrainAfterSwitch, "");
        row(t, "unavailability window, median / p95 / max", windows(relay.window, true), windows(recipe.window, true),
                "");
        String sentinel = windows(failovers.stream().map(Failover::sentinelWindow).toArray(Long[]::new), true);
        row(t, "Sentinel's window (loss → first +switch-master)", sentinel, sentinel, "");
        row(t, "first +switch-master → first write on the new master, median / p95 / max",
                windows(relay.afterSwitch(), true), windows(recipe.afterSwitch(), true), "");
        row(t, "failovers with a window > Sentinel's + 50 ms (from the same start)",
                relay.windowsMissed() + " of " + n, recipe.windowsMissed() + " of " + n, "relay 0");
        row(t, "targets met", verdict(relay), verdict(recipe), "");
        t.append("\n| kind | failovers | Sentinel's window, median / max | window median / max, relay | recipe"
                + " | lost per failover mean / max, relay | recipe | split-brain, relay | recipe |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (Kind kind : Kind.values()) {
            List<Failover> of = failovers.stream().filter(f -> f.kind == kind).toList();
            if (of.isEmpty()) {
                continue;
            }
            Function<Result, long[]> lost = r -> of.stream().mapToLong(f -> r.lostIn[f.number - 1]).toArray();
            Function<Result, Long[]> window = r -> of.stream().map(f -> r.window[f.number - 1]).toArray(Long[]::new);
            Function<Result, Long> splitBrain = r -> of.stream().mapToLong(f -> r.splitBrainIn[f.number - 1]).sum();
            Long[] sentinelWindows = of.stream().map(Failover::sentinelWindow).toArray(Long[]::new);
            t.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %d | %d |%n", kind.label,
                    of.size(), windows(sentinelWindows, false), windows(window.apply(relay), false),
                    windows(window.apply(recipe), false), perFailover(lost.apply(relay)),
                    perFailover(lost.apply(recipe)), splitBrain.apply(relay), splitBrain.apply(recipe)));
        }
        return t.toString();
    }

    static String verdict(Result r) {
        List<String> missed = new ArrayList<>();
        if (r.splitBrain > 0) {
            missed.add("split-brain");
        }
        if (Arrays.stream(r.lostIn).anyMatch(l -> l > MAX_LOST_PER_FAILOVER)) {
            missed.add("lost");
        }
        if (r.windowsMissed() > 0) {
            missed.add("window");
        }
        return missed.isEmpty() ? "all" : "missed: " + String.join(", ", missed);
    }

    static String byKind(List<Failover> failovers) {
        int extra = failovers.stream().mapToInt(f -> f.sentinelFailovers - 1).sum();
        return String.join(" / ", Arrays.stream(Kind.values())
                .map(k -> String.valueOf(failovers.stream().filter(f -> f.kind == k).count())).toList())
                + (extra == 0 ? "" : " (and " + extra + " more that Sentinel made on its own)");
    }

    static String perFailover(long[] counts) {
        return counts.length == 0 ? "–" : String.format(Locale.ROOT, "%.1f / %d", Arrays.stream(counts).average()
                .orElse(0), Arrays.stream(counts).max().orElse(0));
    }

    /** median / p95 (nearest rank) / max, or median / max; and how many were not measured (null). */
    static String windows(Long[] nanos, boolean p95) {
        long[] sorted = Arrays.stream(nanos).filter(x -> x != null).mapToLong(Long::longValue).sorted().toArray();
        long missing = nanos.length - sorted.length;
        String notReached = missing == 0 ? "" : " (" + missing + " never reached the new master)";
        if (sorted.length == 0) {
            return "–" + notReached;
        }
        return ms(sorted[sorted.length / 2]) + " / " + (p95 ? ms(sorted[(int) Math.ceil(0.95 * sorted.length) - 1])
                + " / " : "") + ms(sorted[sorted.length - 1]) + notReached;
    }

    static void row(StringBuilder t, String metric, Object relay, Object recipe, String target) {
        t.append("| ").append(metric).append(" | ").append(relay).append(" | ").append(recipe).append(" | ")
                .append(target).append(" |\n");
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
    }
}
