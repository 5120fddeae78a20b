package dev.sentinelrelay.it;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A client that writes numbered keys through the HAProxy frontend at a fixed pace, to count acknowledged writes
 * that a failover lost. Attempt n writes {@code SET w:<n> <n>}; it is acknowledged only when the server answered
 * OK. Any exception (connect, timeout, READONLY, a connection cut by the relay) counts as not acknowledged and
 * drops the connection; the next attempt opens a new one, through HAProxy, so it follows the failover.
 *
 * <p>The pace is an absolute schedule (slot i is due at start + i / rate), so slow writes do not make it drift;
 * slots that passed while a write was blocked are skipped, never caught up in a burst.
 */
final class WriteLossProbe implements AutoCloseable {

    static final String PREFIX = "w:";
    private static final int TIMEOUT_MILLIS = 300;
    private static final int CHUNK = 500;

    private final HostAndPort target;
    private final JedisClientConfig clientConfig;
    private final long periodNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong skippedSlots = new AtomicLong();
    /** Acknowledged attempt numbers, appended in increasing order by the one writer thread. */
    private final List<Long> acknowledged = new ArrayList<>();
    private volatile String lastError;
    private volatile long startNanos;
    private volatile long stopNanos;

    private WriteLossProbe(int port, String password, int writesPerSecond) {
        if (writesPerSecond < 1 || writesPerSecond > 10_000) {
            throw new IllegalArgumentException("writesPerSecond " + writesPerSecond + " is outside 1-10000");
        }
        this.target = new HostAndPort("127.0.0.1", port);
        this.clientConfig = DefaultJedisClientConfig.builder().connectionTimeoutMillis(TIMEOUT_MILLIS)
                .socketTimeoutMillis(TIMEOUT_MILLIS).password(password).clientName("write-loss-probe").build();
        this.periodNanos = TimeUnit.SECONDS.toNanos(1) / writesPerSecond;
        this.thread = new Thread(this::run, "write-loss-probe-" + port);
        thread.setDaemon(true);
    }

    /** Starts writing through {@code frontendPort} (on 127.0.0.1) at {@code writesPerSecond}. */
    static WriteLossProbe start(int frontendPort, String password, int writesPerSecond) {
        WriteLossProbe probe = new WriteLossProbe(frontendPort, password, writesPerSecond);
        probe.startNanos = System.nanoTime();
        probe.thread.start();
        return probe;
    }

    private void run() {
        Jedis jedis = null;
        long n = 0;
        long slot = 0;
        try {
            while (running) {
                long due = startNanos + slot * periodNanos;
                long wait;
                while (running && (wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(this, wait);
                }
                if (!running) {
                    break;
                }
                n++;
                attempts.incrementAndGet();
                try {
                    if (jedis == null) {
                        jedis = new Jedis(target, clientConfig);
                    }
                    if ("OK".equals(jedis.set(PREFIX + n, String.valueOf(n)))) {
                        synchronized (acknowledged) {
                            acknowledged.add(n);
                        }
                    } else {
                        errors.incrementAndGet();
                        lastError = "SET " + PREFIX + n + " was not answered OK";
                    }
                } catch (RuntimeException e) {
                    errors.incrementAndGet();
                    lastError = e.toString();
                    closeQuietly(jedis);
                    jedis = null;
                }
                // next slot on the absolute grid that is not yet past: never faster than the pace, no drift
                long behind = (System.nanoTime() - startNanos) / periodNanos;
                long next = Math.max(slot + 1, behind + 1);
                skippedSlots.addAndGet(next - slot - 1);
                slot = next;
            }
        } finally {
            closeQuietly(jedis);
            stopNanos = System.nanoTime();
        }
    }

    private static void closeQuietly(Jedis jedis) {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException ignored) {
                // the connection is being dropped anyway
            }
        }
    }

    /** Stops writing and waits (bounded) for the writer thread to finish its last attempt. */
    void stop() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("write-loss probe did not stop within 10 s");
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The acknowledged attempt numbers, ascending. */
    List<Long> acknowledged() {
        synchronized (acknowledged) {
            return List.copyOf(acknowledged);
        }
    }

    long acknowledgedCount() {
        synchronized (acknowledged) {
            return acknowledged.size();
        }
    }

    long attempts() {
        return attempts.get();
    }

    long errors() {
        return errors.get();
    }

    /** Slots of the schedule that passed while a write was blocked (no attempt was made for them). */
    long skippedSlots() {
        return skippedSlots.get();
    }

    String lastError() {
        return lastError;
    }

    /** Nanoseconds from start to the end of the last attempt (or to now while running). */
    long elapsedNanos() {
        long end = stopNanos;
        return (end == 0 ? System.nanoTime() : end) - startNanos;
    }

    /** How many acknowledged keys do not exist on {@code finalMaster}: acknowledged writes that were lost. */
    long missingOn(Jedis finalMaster) {
        return missingKeysOn(finalMaster).size();
    }

    /** The acknowledged attempt numbers whose key does not exist on {@code finalMaster}, ascending. */
    List<Long> missingKeysOn(Jedis finalMaster) {
        List<Long> acked = acknowledged();
        List<Long> missing = new ArrayList<>();
        for (int from = 0; from < acked.size(); from += CHUNK) {
            List<Long> chunk = acked.subList(from, Math.min(acked.size(), from + CHUNK));
            List<String> values = finalMaster.mget(chunk.stream().map(n -> PREFIX + n).toArray(String[]::new));
            for (int i = 0; i < chunk.size(); i++) {
                if (values.get(i) == null) {
                    missing.add(chunk.get(i));
                }
            }
        }
        return missing;
    }

    @Override
    public String toString() {
        return String.format("write-loss probe on %s: %d attempts, %d acknowledged, %d errors, %d skipped slots in %.2f s%s",
                target, attempts(), acknowledgedCount(), errors(), skippedSlots(), elapsedNanos() / 1e9,
                lastError == null ? "" : "; last error: " + lastError);
    }
}
