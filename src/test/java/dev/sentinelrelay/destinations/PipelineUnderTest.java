package dev.sentinelrelay.destinations;

import dev.sentinelrelay.alerts.Alerts;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.deadletter.DeadLetters;
import dev.sentinelrelay.destinations.RecordedLedger.Leadership;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.resolve.Trigger;
import dev.sentinelrelay.sentinel.SentinelEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.seda.SedaEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A destination's pipeline in a Camel context of its own, for the pipeline's tests: the templates of
 * routes/35-destination.yaml, the destination's route file, a recording ledger bound as relayState, a leadership
 * that writes until told otherwise, a dead-letter store in a temporary directory, and the alerts (what the pipeline
 * queues on seda:alerts and seda:failover-report is kept there: {@link #queued}). Bind the destination's beans in
 * {@link #camel} before {@link #start}.
 */
public final class PipelineUnderTest implements AutoCloseable {

    public static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    public static final HostPort NEW = new HostPort("10.0.0.2", 6379);

    public final CamelContext camel = new DefaultCamelContext();
    public final RecordedLedger ledger = new RecordedLedger();
    public final Leadership leadership = new Leadership();
    public final DeadLetters deadLetters;
    private final Path dir;
    private ProducerTemplate producer;

    public PipelineUnderTest() {
        try {
            dir = Files.createTempDirectory("pipeline-under-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        deadLetters = new DeadLetters(dir);
        camel.getRegistry().bind("relayState", ledger);
        camel.getRegistry().bind("leadership", leadership);
        camel.getRegistry().bind("deadLetters", deadLetters);
        camel.getRegistry().bind("alerts", new Alerts(() -> 3, () -> 2));
    }

    /** The bodies queued so far on a seda queue nobody consumes here: seda:alerts or seda:failover-report. */
    public <T> List<T> queued(String queue, Class<T> type) {
        return camel.getEndpoint("seda:" + queue, SedaEndpoint.class).getExchanges().stream()
                .map(e -> e.getMessage().getBody(type)).toList();
    }

    /** Loads the templates and the destination's routes ({@code file:} or {@code classpath:}), adds its pipeline, starts. */
    public void start(Pipeline pipeline, List<String> queues, int threads, String routes) throws Exception {
        for (String file : List.of("file:routes/35-destination.yaml", routes)) {
            PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveMandatoryResource(camel, file));
        }
        pipeline.addTo(camel, queues, threads);
        camel.start();
        producer = camel.createProducerTemplate();
    }

    /** Hands a routing to the destination's entry, as the multicast in routes/30-resolve.yaml does. */
    public void send(Pipeline pipeline, Routing routing) {
        producer.sendBody("direct:" + pipeline.kind(), routing);
    }

    /** A +switch-master of mymaster from OLD to {@code master}. */
    public static Routing switchTo(HostPort master) {
        return Routing.route(Trigger.of(new SentinelEvent("+switch-master", "mymaster", OLD, master, "s1")), master);
    }

    @Override
    public void close() {
        camel.stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
