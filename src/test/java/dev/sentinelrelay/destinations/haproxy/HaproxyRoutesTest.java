package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.destinations.PipelineUnderTest;
import dev.sentinelrelay.destinations.RecordedLedger;
import dev.sentinelrelay.destinations.RecordedLedger.Leadership;
import dev.sentinelrelay.destinations.NewestWins;
import dev.sentinelrelay.resolve.RelayHealth;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayConfigTest;
import dev.sentinelrelay.alerts.Alert;
import dev.sentinelrelay.alerts.AlertKind;
import dev.sentinelrelay.alerts.DestinationOutcome;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.sentinelrelay.destinations.PipelineUnderTest.NEW;
import static dev.sentinelrelay.destinations.PipelineUnderTest.OLD;
import static dev.sentinelrelay.destinations.PipelineUnderTest.switchTo;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.server;
import static dev.sentinelrelay.destinations.haproxy.HaproxyReplies.serversState;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The destination pipeline (routes/35-destination.yaml) as HAProxy's (routes/40-haproxy.yaml) in Camel, with the runtime API's round trip stubbed
 * (haproxy-2 is down while {@link #down} is set): a task that fails after its retries never leaves its endpoint and
 * master "running", and a task that waited behind a failed one gets retries of its own.
 */
class HaproxyRoutesTest {

    private static final Duration ROUTES = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private volatile boolean down = true;
    private final AtomicInteger retried = new AtomicInteger();
    private final PipelineUnderTest pipeline = new PipelineUnderTest();
    private final RecordedLedger state = pipeline.ledger;
    private final Leadership leadership = pipeline.leadership;
    /** Every line sent to an endpoint's runtime API. */
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final NewestWins latest = new NewestWins();

    /** haproxy-1 holds OLD and accepts every write; haproxy-2 refuses connections while down. */
    private String roundTrip(dev.sentinelrelay.configuration.HaproxyEndpoint endpoint, String line) {
        if (endpoint.id().equals("haproxy-2") && down) {
            throw new IllegalStateException("Cannot connect to " + endpoint);
        }
        sent.add(endpoint.id() + ": " + line.strip());
        if (line.startsWith("show servers state")) {
            return serversState(server("redis_mymaster", "master", OLD.host(), OLD.port(), 2, 0));
        }
        return "\n".repeat(ReplyChecker.commands(line).length);
    }

    @BeforeEach
    void startRoutes() throws Exception {
        RelayConfig config = RelayConfig.from(RelayConfigTest.valid()::get);
        CamelContext camel = pipeline.camel;
        // the round trip route's timeout (the relay derives it from relay.haproxy.timeout); this test's round trips
        // are this.roundTrip
        Properties properties = new Properties();
        properties.setProperty("relay.haproxy.timeout-ms", "2000");
        camel.getPropertiesComponent().setInitialProperties(properties);
        camel.getRegistry().bind("haproxySync", new HaproxySync(config,
                new RelayHealth(config.masters(), config::sentinelMajority), leadership::mayWrite));
        camel.getRegistry().bind("haproxyLatest", latest);
        camel.getRegistry().bind("haproxyRuntimeApi", new RuntimeApi(this::roundTrip));
        camel.getRegistry().bind("haproxyRetried", (Processor) exchange -> retried.incrementAndGet());
        pipeline.start(HaproxySync.PIPELINE, List.of("haproxy-1", "haproxy-2"), 4, "file:routes/40-haproxy.yaml");
    }

    @AfterEach
    void stopRoutes() {
        pipeline.close();
    }

    private void send(Routing routing) {
        pipeline.send(HaproxySync.PIPELINE, routing);
    }

    @Test
    void aTaskThatFailedAfterItsRetriesLeavesTheEndpointFreeForTheNextRouting() {
        send(switchTo(NEW));

        await().atMost(ROUTES).until(() -> state.failed.size() == 1 && latest.idle());
        assertEquals(List.of("haproxy-1 " + NEW), state.applied, "haproxy-1 did not wait for haproxy-2");
        assertTrue(state.failed.get(0).startsWith("haproxy-2 " + NEW + ": Cannot connect to"), state.failed.toString());
        assertEquals(4, retried.get(), "haproxy-retries: 4 retries");
        // dead-lettered, alerted, and both outcomes handed to the failover's report
        assertEquals(1, pipeline.deadLetters.size(), "one dead letter");
        List<Alert> alerts = pipeline.queued("alerts", Alert.class);
        assertEquals(List.of(AlertKind.DELIVERY_FAILED), alerts.stream().map(Alert::kind).toList());
        assertTrue(alerts.get(0).summary().startsWith("haproxy-2 (tcp:"), alerts.get(0).summary());
        assertEquals(List.of("haproxy-1 null", "haproxy-2 Cannot connect to tcp:127.0.0.1:9999"),
                pipeline.queued("failover-report", DestinationOutcome.class).stream()
                        .map(o -> o.destination() + " " + o.failure()).sorted().toList());

        down = false;
        send(switchTo(NEW));
        await().atMost(ROUTES).until(() -> state.applied.contains("haproxy-2 " + NEW));
    }

    @Test
    void aTaskThatWaitedBehindAFailedOneGetsItsOwnRetries() {
        HostPort other = new HostPort("10.0.0.3", 6379);
        send(switchTo(NEW));
        await().atMost(ROUTES).until(() -> retried.get() >= 1); // haproxy-2's first task is retrying
        send(switchTo(other));

        await().atMost(ROUTES).until(() -> state.failed.size() == 2 && latest.idle());
        assertTrue(state.failed.get(1).startsWith("haproxy-2 " + other + ": "), state.failed.toString());
        assertEquals(8, retried.get(), "4 retries for each task");
    }

    @Test
    void aRelayThatDoesNotWriteOnlyReadsBackAndReportsWhatItWouldChange() {
        down = false;
        leadership.mayWrite = false;
        send(switchTo(NEW));
        await().atMost(ROUTES).until(() -> state.wouldChange.size() == 2 && latest.idle());
        assertEquals(List.of("haproxy-1 " + NEW, "haproxy-2 " + NEW), state.wouldChange.stream().sorted().toList());

        send(switchTo(OLD)); // what both hold: in step, nothing it would write
        await().atMost(ROUTES).until(() -> state.inStep.size() == 2 && latest.idle());
        assertEquals(List.of("haproxy-1 " + OLD, "haproxy-2 " + OLD), state.inStep.stream().sorted().toList());
        assertEquals(2, state.wouldChange.size(), "nothing more it would change");
        assertEquals(List.of(), state.applied);
        assertTrue(sent.stream().allMatch(l -> l.endsWith("show servers state redis_mymaster")), sent.toString());
    }
}
