import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.sentinelrelay.tls.PemTls;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * What the benchmarks do with the sandbox's sentinels: trigger a failover, wait until they settled, follow their
 * events. Compiled by bench/lib/bench.sh next to the sandbox and put on the class path of the single-file programs
 * (bench/FailoverLatency.java, bench/Soak.java), which cannot share a source file between them on Java 17; public,
 * because a single-file program's classes live in another class loader.
 */
public final class BenchSentinels {

    public static final String MASTER = "mymaster";
    public static final String HOST = "127.0.0.1";
    public static final int REDIS_TIMEOUT_MS = 2000;
    static final long TRIGGER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    static final long SUBSCRIBE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The sandbox's certificates when it runs TLS (bin/sandbox up --tls); empty for plain TCP. */
    private static final String TLS_DIR = System.getenv().getOrDefault("SANDBOX_TLS_DIR", "");

    private BenchSentinels() {
    }

    /** A connection to a sentinel: over TLS with the sandbox's client certificate when the sandbox runs TLS. */
    static Jedis sentinel(int port) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().timeoutMillis(REDIS_TIMEOUT_MS);
        if (!TLS_DIR.isEmpty()) {
            Path dir = Path.of(TLS_DIR);
            config.ssl(true).sslSocketFactory(PemTls.context(PemTls.certificates(dir.resolve("ca.crt")),
                    PemTls.certificates(dir.resolve("client.crt")), PemTls.privateKey(dir.resolve("client.key")))
                    .getSocketFactory());
        }
        return new Jedis(new HostAndPort(HOST, port), config.build());
    }

    /**
     * SENTINEL FAILOVER, retried with backoff while Sentinel says a failover is running or no replica is fit yet.
     * Returns when the command was sent (System.nanoTime()).
     */
    public static long triggerFailover(int sentinel) throws InterruptedException {
        return triggerFailover(sentinel, MASTER);
    }

    /** {@link #triggerFailover(int)} for the master named {@code master}. */
    public static long triggerFailover(int sentinel, String master) throws InterruptedException {
        long deadline = System.nanoTime() + TRIGGER_TIMEOUT_NANOS;
        long backoffMillis = 100;
        while (true) {
            try (Jedis jedis = sentinel(sentinel)) {
                long sent = System.nanoTime();
                jedis.sentinelFailover(master);
                return sent;
            } catch (JedisDataException e) {
                String message = String.valueOf(e.getMessage());
                boolean retryable = message.startsWith("INPROG") || message.startsWith("NOGOODSLAVE");
                if (!retryable || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis) > deadline) {
                    throw new IllegalStateException("SENTINEL FAILOVER " + master + " on " + HOST + ":" + sentinel
                            + ": " + message, e);
                }
                System.out.println("  sentinel " + sentinel + ", " + master + ": " + message + "; retrying in "
                        + backoffMillis + " ms");
                Thread.sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, 2000);
            }
        }
    }

    /**
     * Waits until every sentinel names the same master ({@code expected} "ip:port", when given) and sees two healthy
     * replicas (a killed master restarted and resynced included) and two other sentinels, so that the next failover
     * finds a fit replica. Returns the master's "ip:port".
     */
    public static String awaitSettled(int[] sentinels, String expected, long timeoutNanos) throws InterruptedException {
        return awaitSettled(sentinels, MASTER, 2, expected, timeoutNanos);
    }

    /**
     * {@link #awaitSettled(int[], String, long)} for the master named {@code master}, which has {@code replicas}
     * replicas.
     */
    public static String awaitSettled(int[] sentinels, String master, int replicas, String expected,
            long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        String lastState = "";
        while (System.nanoTime() < deadline) {
            List<String> masters = new ArrayList<>();
            StringBuilder state = new StringBuilder();
            boolean settled = true;
            for (int port : sentinels) {
                try (Jedis jedis = sentinel(port)) {
                    List<String> addr = jedis.sentinelGetMasterAddrByName(master);
                    String named = addr == null ? null : addr.get(0) + ":" + addr.get(1);
                    long healthy = jedis.sentinelReplicas(master).stream().filter(BenchSentinels::healthyReplica)
                            .count();
                    long others = jedis.sentinelSentinels(master).stream().filter(BenchSentinels::reachable).count();
                    masters.add(named);
                    state.append(String.format(" [sentinel %d: %s at %s, %d healthy replicas, %d sentinels]", port,
                            master, named, healthy, others));
                    settled &= named != null && healthy == replicas && others == sentinels.length - 1;
                } catch (RuntimeException e) {
                    state.append(String.format(" [sentinel %d: %s]", port, e.getMessage()));
                    settled = false;
                }
            }
            lastState = state.toString();
            boolean agreed = masters.size() == sentinels.length && masters.stream().distinct().count() == 1
                    && (expected == null || expected.equals(masters.get(0)));
            if (settled && agreed) {
                return masters.get(0);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the sentinels did not settle within "
                + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s:" + lastState);
    }

    static boolean reachable(Map<String, String> instance) {
        String flags = instance.getOrDefault("flags", "");
        return !flags.contains("s_down") && !flags.contains("o_down") && !flags.contains("disconnected");
    }

    /**
     * A replica Sentinel would promote. role-reported matters: the old master is listed as a replica from
     * +switch-master on, but still reports itself master until Sentinel converts it (about 8 s later).
     */
    static boolean healthyReplica(Map<String, String> replica) {
        return reachable(replica) && "0".equals(replica.get("master-link-down-time"))
                && "ok".equals(replica.get("master-link-status")) && "slave".equals(replica.get("role-reported"));
    }

    /** An event a sentinel published: when it arrived here, from which sentinel, on which channel. */
    public record Event(long nanos, int sentinel, String channel, String message) {
    }

    /**
     * One subscriber thread per sentinel, on every channel ({@code PSUBSCRIBE *}), handing each event to a listener
     * on arrival. Jedis blocks in psubscribe with no read timeout; a lost subscription is reported, not hidden.
     */
    public static final class Events {
        private final int[] sentinels;
        private final Consumer<Event> listener;
        private final Set<Integer> subscribed = ConcurrentHashMap.newKeySet();

        public Events(int[] sentinels, Consumer<Event> listener) {
            this.sentinels = sentinels;
            this.listener = listener;
            for (int port : sentinels) {
                Thread thread = new Thread(() -> subscribe(port), "sentinel-events-" + port);
                thread.setDaemon(true); // ends with the program; no unsubscribe needed
                thread.start();
            }
        }

        private void subscribe(int port) {
            JedisPubSub pubSub = new JedisPubSub() {
                @Override
                public void onPSubscribe(String pattern, int count) {
                    subscribed.add(port);
                }

                @Override
                public void onPMessage(String pattern, String channel, String message) {
                    listener.accept(new Event(System.nanoTime(), port, channel, message));
                }
            };
            try (Jedis jedis = sentinel(port)) {
                jedis.psubscribe(pubSub, "*");
            } catch (RuntimeException e) {
                System.out.println("  subscription to sentinel " + port + " lost: " + e.getMessage());
            } finally {
                subscribed.remove(port);
            }
        }

        public void awaitSubscribed() throws InterruptedException {
            long deadline = System.nanoTime() + SUBSCRIBE_TIMEOUT_NANOS;
            while (subscribed.size() < sentinels.length && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            requireSubscribed();
        }

        public void requireSubscribed() {
            if (subscribed.size() < sentinels.length) {
                throw new IllegalStateException("subscribed to the events of sentinels " + subscribed + " only, of "
                        + Arrays.toString(sentinels));
            }
        }
    }
}
