package dev.sentinelrelay.destinations;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.destinations.RecordedLedger.Leadership;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.Trigger;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The destination pipeline (routes/35-destination.yaml) with docs/routes.md's example destination, {@link HoldingFiles}:
 * one template instance ({@link Pipeline#addTo}) and one planner class, and the pipeline reads back, judges, writes
 * as the leader only, retries and reports.
 */
class DestinationPipelineTest {

    private static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    private static final HostPort NEW = new HostPort("10.0.0.2", 6379);
    private static final Duration ROUTES = Duration.ofSeconds(20);
    /** How long "nothing more happens" is watched. */
    private static final Duration QUIET = Duration.ofMillis(500);

    @TempDir
    Path dir;

    private final RecordedLedger ledger = new RecordedLedger();
    private final Leadership leadership = new Leadership();
    private final NewestWins latest = new NewestWins();
    private Path files;
    private CamelContext camel;
    private ProducerTemplate producer;

    @BeforeEach
    void startRoutes() throws Exception {
        files = Files.createDirectories(dir.resolve("holding"));
        camel = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.setProperty("holding-files.dir", files.toString());
        camel.getPropertiesComponent().setInitialProperties(properties);
        camel.getRegistry().bind("holdingFiles", new HoldingFiles(files));
        camel.getRegistry().bind("holdingFilesLatest", latest);
        camel.getRegistry().bind("relayState", ledger);
        camel.getRegistry().bind("leadership", leadership);
        for (String file : List.of("file:routes/35-destination.yaml", "classpath:destinations/holding-files.yaml")) {
            PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveMandatoryResource(camel, file));
        }
        HoldingFiles.PIPELINE.addTo(camel, List.of(HoldingFiles.QUEUE), 2);
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterEach
    void stopRoutes() {
        camel.stop();
    }

    private static Routing switchTo(HostPort master) {
        return Routing.route(Trigger.of(new SentinelEvent("+switch-master", "mymaster", OLD, master, "s1")), master);
    }

    private static Routing reconcile(HostPort master) {
        return Routing.route(Trigger.reconcile("mymaster"), master);
    }

    private String held() throws Exception {
        Path file = files.resolve("mymaster");
        return Files.exists(file) ? Files.readString(file).strip() : null;
    }

    private void send(Routing routing) {
        producer.sendBody("direct:holding-files", routing);
    }

    @Test
    void aRoutingIsWrittenOnceAndTheSameRoutingAgainWritesNothing() throws Exception {
        send(switchTo(NEW));
        await().atMost(ROUTES).until(() -> ledger.applied.size() == 1 && latest.idle());
        assertEquals(NEW.toString(), held());
        assertEquals(List.of("holding-files " + NEW), ledger.applied);

        send(switchTo(NEW)); // the same event from another sentinel
        await().during(QUIET).atMost(ROUTES).until(() -> latest.idle() && ledger.applied.size() == 1);
        assertEquals(List.of(), ledger.inStep, "known to hold it: not even read back");
    }

    @Test
    void aReconcileReadsBackAndRepairsADrift() throws Exception {
        send(switchTo(NEW));
        await().atMost(ROUTES).until(() -> ledger.applied.size() == 1 && latest.idle());
        send(reconcile(NEW));
        await().atMost(ROUTES).until(() -> ledger.inStep.size() == 1 && latest.idle());
        assertEquals(1, ledger.applied.size(), "in step: nothing written");

        Files.writeString(files.resolve("mymaster"), OLD + "\n"); // someone edited it
        send(reconcile(NEW));
        await().atMost(ROUTES).until(() -> ledger.applied.size() == 2 && latest.idle());
        assertEquals(NEW.toString(), held());
    }

    @Test
    void aRelayThatDoesNotWriteOnlyReadsBackAndReportsWhatItWouldChange() throws Exception {
        leadership.mayWrite = false;
        send(switchTo(NEW));
        await().atMost(ROUTES).until(() -> ledger.wouldChange.size() == 1 && latest.idle());
        assertEquals(List.of("holding-files " + NEW), ledger.wouldChange);
        assertEquals(List.of(), ledger.applied);
        assertEquals(null, held());
    }

    @Test
    void aFenceIsARoutingLikeAnyOther() throws Exception {
        send(Routing.fence(Trigger.of(new SentinelEvent("+odown", "mymaster", OLD, null, "s1")), OLD, "test"));
        await().atMost(ROUTES).until(() -> ledger.applied.size() == 1 && latest.idle());
        assertEquals("fenced " + OLD, held());
    }

    @Test
    void aWriteThatKeepsFailingIsRetriedThenReportedAndTheNextRoutingGetsItsOwnTries() throws Exception {
        Files.delete(files);
        Files.writeString(files, "a file where the directory should be");
        send(switchTo(NEW));
        await().atMost(ROUTES).until(() -> ledger.failed.size() == 1 && latest.idle());
        assertTrue(ledger.failed.get(0).startsWith("holding-files " + NEW + ": "), ledger.failed.toString());

        Files.delete(files);
        send(switchTo(NEW));
        await().atMost(ROUTES).until(() -> ledger.applied.size() == 1 && latest.idle());
        assertEquals(NEW.toString(), held());
        assertFalse(ledger.failed.size() > 1, ledger.failed.toString());
    }
}
