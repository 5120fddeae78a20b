package dev.sentinelrelay.destinations;

import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.sentinel.SentinelEvent;
import dev.sentinelrelay.resolve.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static dev.sentinelrelay.destinations.PipelineUnderTest.NEW;
import static dev.sentinelrelay.destinations.PipelineUnderTest.OLD;
import static dev.sentinelrelay.destinations.PipelineUnderTest.switchTo;
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

    private static final Duration ROUTES = Duration.ofSeconds(20);
    /** How long "nothing more happens" is watched. */
    private static final Duration QUIET = Duration.ofMillis(500);

    @TempDir
    Path dir;

    private final PipelineUnderTest pipeline = new PipelineUnderTest();
    private final RecordedLedger ledger = pipeline.ledger;
    private final NewestWins latest = new NewestWins();
    private Path files;

    @BeforeEach
    void startRoutes() throws Exception {
        files = Files.createDirectories(dir.resolve("holding"));
        Properties properties = new Properties();
        properties.setProperty("holding-files.dir", files.toString());
        pipeline.camel.getPropertiesComponent().setInitialProperties(properties);
        pipeline.camel.getRegistry().bind("holdingFiles", new HoldingFiles(files));
        pipeline.camel.getRegistry().bind("holdingFilesLatest", latest);
        pipeline.start(HoldingFiles.PIPELINE, List.of(HoldingFiles.QUEUE), 2, "classpath:destinations/holding-files.yaml");
    }

    @AfterEach
    void stopRoutes() {
        pipeline.close();
    }

    private static Routing reconcile(HostPort master) {
        return Routing.route(Trigger.reconcile("mymaster"), master);
    }

    private String held() throws Exception {
        Path file = files.resolve("mymaster");
        return Files.exists(file) ? Files.readString(file).strip() : null;
    }

    private void send(Routing routing) {
        pipeline.send(HoldingFiles.PIPELINE, routing);
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
        pipeline.leadership.mayWrite = false;
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
