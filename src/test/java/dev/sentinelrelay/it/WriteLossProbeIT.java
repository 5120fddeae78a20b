package dev.sentinelrelay.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The write-loss probe against one plain redis-server (no HAProxy): it paces, counts, and its check can fail. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WriteLossProbeIT {

    private static final int RATE = 100;
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private Path dir;
    private int port;
    private ManagedProcess redis;

    @BeforeAll
    void startRedis() throws Exception {
        dir = Files.createTempDirectory("sentinel-relay-probe-");
        port = Sandbox.freePort();
        redis = ManagedProcess.start("redis-" + port, List.of("redis-server", "--port", String.valueOf(port),
                        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()),
                dir, dir.resolve("redis-" + port + ".log"), Map.of());
        await("redis up").atMost(LIMIT).ignoreExceptions().until(() -> {
            try (Jedis j = jedis()) {
                return "PONG".equals(j.ping());
            }
        });
    }

    @AfterAll
    void stopRedis() {
        if (redis != null) {
            redis.stop();
        }
        if (dir != null) {
            Sandbox.keepLogsAndDelete(dir);
        }
    }

    @BeforeEach
    void flush() {
        try (Jedis j = jedis()) {
            j.flushAll();
        }
    }

    @Test
    void pacesWritesAndDetectsLostOnes() {
        WriteLossProbe probe = WriteLossProbe.start(port, null, RATE);
        try {
            await("about one second of writes").atMost(LIMIT).pollInterval(Duration.ofMillis(10))
                    .until(() -> probe.attempts() >= RATE);
        } finally {
            probe.stop();
        }
        System.out.println(probe);
        double seconds = probe.elapsedNanos() / 1e9;
        long attempts = probe.attempts();
        assertTrue(attempts >= RATE && attempts <= RATE * 3 / 2, probe.toString());
        // slot i is due at start + i/RATE: attempt n cannot have started before (n - 1)/RATE s
        assertTrue(attempts <= seconds * RATE + 1, "faster than the pace: " + probe);
        assertTrue(seconds >= (RATE - 1) / (double) RATE, "faster than the pace: " + probe);
        assertEquals(0, probe.errors(), probe.toString());
        assertEquals(attempts, probe.acknowledged().size(), probe.toString());
        assertEquals(1L, probe.acknowledged().get(0));
        assertEquals(attempts, probe.acknowledged().get(probe.acknowledged().size() - 1), "numbered 1..n, sorted");
        try (Jedis j = jedis()) {
            assertEquals(0, probe.missingOn(j), "every acknowledged write is there");
            assertEquals(String.valueOf(attempts), j.get(WriteLossProbe.PREFIX + attempts));
            j.flushAll();
            assertEquals(attempts, probe.missingOn(j), "after FLUSHALL every acknowledged write is missing");
            j.set(WriteLossProbe.PREFIX + 1, "1");
            assertEquals(List.of(2L, 3L), probe.missingKeysOn(j).subList(0, 2));
        }
    }

    /** Nothing listens: every attempt fails fast, and the probe still keeps the pace instead of spinning. */
    @Test
    void failedAttemptsAreCountedAtThePace() {
        int closed = Sandbox.freePort();
        WriteLossProbe probe = WriteLossProbe.start(closed, null, RATE);
        try {
            await("failed attempts").atMost(LIMIT).pollInterval(Duration.ofMillis(10))
                    .until(() -> probe.attempts() >= RATE / 2);
        } finally {
            probe.stop();
        }
        System.out.println(probe);
        double seconds = probe.elapsedNanos() / 1e9;
        assertEquals(probe.attempts(), probe.errors(), probe.toString());
        assertEquals(List.of(), probe.acknowledged());
        assertTrue(probe.attempts() <= seconds * RATE + 1, "faster than the pace: " + probe);
    }

    /** A connection cut under the probe costs one write and is re-opened for the next one. */
    @Test
    void reconnectsAfterTheConnectionIsCut() {
        WriteLossProbe probe = WriteLossProbe.start(port, null, RATE);
        try {
            await("first writes").atMost(LIMIT).until(() -> probe.acknowledgedCount() >= 10);
            try (Jedis j = jedis()) {
                long killed = j.clientKill(ClientKillParams.clientKillParams().type(ClientType.NORMAL)
                        .skipMe(ClientKillParams.SkipMe.YES));
                assertEquals(1, killed, "the probe holds one connection");
            }
            await("an error").atMost(LIMIT).until(() -> probe.errors() >= 1);
            long ackedAfterError = probe.acknowledgedCount();
            await("writes again").atMost(LIMIT).until(() -> probe.acknowledgedCount() >= ackedAfterError + 10);
        } finally {
            probe.stop();
        }
        System.out.println(probe);
        assertEquals(probe.attempts(), probe.acknowledgedCount() + probe.errors(), probe.toString());
        assertTrue(probe.errors() <= 2, "one cut should cost about one write: " + probe);
        try (Jedis j = jedis()) {
            assertEquals(0, probe.missingOn(j), probe.toString());
        }
    }

    private Jedis jedis() {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().timeoutMillis(1000).build());
    }
}
