package dev.sentinelrelay.it;

import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayConfigTest;
import dev.sentinelrelay.sentinel.SentinelSubscriptions;
import dev.sentinelrelay.sentinel.TlsFailureLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How {@link SentinelSubscriptions} tells a first subscription from a re-subscription (the relay reconciles on
 * the second kind only), against real {@code redis-server} processes standing in for sentinels (pub/sub is the
 * same): each server's first subscription is reported once with {@code again=false}, and after the server is
 * killed and started again on its port, once with {@code again=true}, for that server only.
 */
class SentinelSubscriptionsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Long enough for the container's 1 s recovery interval to have resubscribed a second time, were it to. */
    private static final Duration QUIET = Duration.ofSeconds(3);
    private Path dir;
    private final Map<Integer, ManagedProcess> servers = new LinkedHashMap<>();
    private final List<String> reports = Collections.synchronizedList(new ArrayList<>());
    /** The subscriptions' threads (Camel's in the relay, which shuts them down). */
    private final List<ExecutorService> threads = new ArrayList<>();

    @BeforeEach
    void createDir() throws IOException {
        dir = Files.createTempDirectory("sentinel-relay-subscriptions-it-");
    }

    @AfterEach
    void stopServers() {
        threads.forEach(ExecutorService::shutdownNow);
        servers.values().forEach(ManagedProcess::stop);
        Sandbox.keepLogsAndDelete(dir);
    }

    private void startServer(int port) {
        servers.put(port, ManagedProcess.start("redis-" + port, List.of("redis-server", "--port", String.valueOf(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()),
                dir, dir.resolve("redis-" + port + ".log"), Map.of()));
        await("redis " + port + " up").atMost(WAIT).ignoreExceptions().until(() -> {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                return "PONG".equals(j.ping());
            }
        });
    }

    private SentinelSubscriptions subscribe(List<Integer> ports) {
        Map<String, String> props = RelayConfigTest.valid();
        props.put("relay.sentinels", String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList()));
        return new SentinelSubscriptions(RelayConfig.from(props::get),
                (sentinel, again) -> reports.add(sentinel + (again ? " again" : " first")),
                name -> {
                    ExecutorService thread = Executors.newSingleThreadExecutor();
                    threads.add(thread);
                    return thread;
                }, new TlsFailureLog());
    }

    private void awaitReports(List<String> expected) {
        await("reported " + expected).atMost(WAIT).until(() -> List.copyOf(reports).equals(expected));
        await("and nothing more").during(QUIET).atMost(QUIET.plus(WAIT)).until(() -> List.copyOf(reports).equals(expected));
    }

    @Test
    void theFirstSubscriptionIsReportedOnceAndAResubscriptionAfterARestartAsAgain() throws Exception {
        int port = Sandbox.freePort();
        startServer(port);
        try (SentinelSubscriptions ignored = subscribe(List.of(port))) {
            awaitReports(List.of("sentinel-1 first"));

            servers.get(port).kill();
            startServer(port);

            awaitReports(List.of("sentinel-1 first", "sentinel-1 again"));
        }
    }

    @Test
    void eachSentinelIsReportedUnderItsOwnIdAndOnlyTheRestartedOneAgain() throws Exception {
        int first = Sandbox.freePort();
        int second = Sandbox.freePort();
        startServer(first);
        startServer(second);
        try (SentinelSubscriptions ignored = subscribe(List.of(first, second))) {
            await("both subscribed").atMost(WAIT).until(() -> reports.size() >= 2);
            await("and nothing more").during(QUIET).atMost(QUIET.plus(WAIT)).until(() -> reports.size() == 2);
            List<String> firstReports = List.copyOf(reports); // in either order
            assertEquals(Set.of("sentinel-1 first", "sentinel-2 first"), Set.copyOf(firstReports), firstReports.toString());

            servers.get(second).kill();
            startServer(second);

            List<String> expected = new ArrayList<>(firstReports);
            expected.add("sentinel-2 again");
            awaitReports(expected);
        }
    }

    /** The container gives up on a failed first subscription by itself: the relay must keep trying. */
    @Test
    void aSentinelDownAtTheStartIsSubscribedOnceItIsUp() throws Exception {
        int port = Sandbox.freePort();
        try (SentinelSubscriptions ignored = subscribe(List.of(port))) {
            startServer(port);

            awaitReports(List.of("sentinel-1 first"));
        }
    }
}
