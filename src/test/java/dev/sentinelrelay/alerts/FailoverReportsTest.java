package dev.sentinelrelay.alerts;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.resolve.Decision;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.resolve.Trigger;
import dev.sentinelrelay.resolve.Verdict;
import dev.sentinelrelay.resolve.Vote;
import dev.sentinelrelay.sentinel.SentinelEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.seda.SedaEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failover's report: gathered by the aggregator of routes/70-alerts.yaml (route failover-report). */
class FailoverReportsTest {

    private static final HostPort OLD = new HostPort("10.0.0.1", 6379);
    private static final HostPort NEW = new HostPort("10.0.0.2", 6379);
    private static final HostPort NEWER = new HostPort("10.0.0.3", 6379);
    /** The deadline of a report in this test: long enough that a complete report never waits for it. */
    private static final Duration DEADLINE = Duration.ofSeconds(2);

    /** A seda consumer's first poll may wait up to Camel's poll timeout (1 s) after start-up: generous. */
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private final CamelContext camel = new DefaultCamelContext();
    private ProducerTemplate producer;

    @BeforeEach
    void startRoute() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("relay.alerts.failover-report-deadline-ms", String.valueOf(DEADLINE.toMillis()));
        properties.setProperty("relay.alerts.group-window-ms", "100");
        camel.getPropertiesComponent().setInitialProperties(properties);
        camel.getRegistry().bind("alerts", new Alerts(() -> 3, () -> 2));
        FailoverReports reports = new FailoverReports(List.of("haproxy-1", "haproxy-2"), DEADLINE);
        camel.getRegistry().bind("failoverReports", reports);
        camel.getRegistry().bind("failoverReportsControl", reports.control());
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveMandatoryResource(camel, "file:routes/70-alerts.yaml"));
        // only the report's route: the rest of the file delivers, which is the alert tests' business
        ModelCamelContext model = (ModelCamelContext) camel;
        model.removeRouteDefinitions(model.getRouteDefinitions().stream()
                .filter(r -> !r.getRouteId().equals("failover-report")).toList());
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    private static Decision failover(HostPort from, HostPort to) {
        Trigger trigger = Trigger.of(new SentinelEvent("+switch-master", "mymaster", from, to, "s1"));
        Verdict verdict = new Verdict(trigger, to, List.of(Vote.of("127.0.0.1:26370", to), Vote.of("127.0.0.1:26371", to),
                Vote.of("127.0.0.1:26372", from)), null);
        return new Decision(Routing.route(trigger, to), verdict, from);
    }

    private void send(Object body) {
        producer.sendBody("seda:failover-report", body);
    }

    private static DestinationOutcome outcome(String destination, Decision d, String failure) {
        return new DestinationOutcome(destination, d.routing(), failure, System.nanoTime());
    }

    /** The alerts the route queued so far. */
    private List<Alert> reports() {
        return camel.getEndpoint("seda:alerts", SedaEndpoint.class).getExchanges().stream()
                .map(e -> e.getMessage().getBody(Alert.class)).toList();
    }

    @Test
    void aFailoverIsReportedOnceEveryDestinationSettledWithOldNewAndTimings() {
        Decision d = failover(OLD, NEW);
        send(d);
        send(outcome("haproxy-1", d, null));
        await().during(Duration.ofMillis(1500)).atMost(SETTLE).until(() -> reports().isEmpty());
        send(outcome("haproxy-2", d, "Connection refused"));
        await().atMost(SETTLE).until(() -> reports().size() == 1);

        Alert failover = reports().get(0);
        assertEquals(AlertKind.FAILOVER, failover.kind());
        Map<String, String> facts = failover.details();
        assertEquals("10.0.0.1:6379", facts.get("old master"));
        assertEquals("10.0.0.2:6379", facts.get("new master"));
        assertEquals("127.0.0.1:26370, 127.0.0.1:26371", facts.get("verified by sentinels"));
        assertTrue(facts.get("haproxy-1").matches("updated [0-9.]+ ms after \\+switch-master"), facts.toString());
        assertEquals("FAILED: Connection refused", facts.get("haproxy-2"));
        assertTrue(failover.summary().contains("1 of 2 destinations updated"), failover.summary());
        assertEquals("down/mymaster/10.0.0.1:6379", failover.closes());
    }

    @Test
    void aFailoverNotEveryDestinationSettledIsReportedOnceAtTheDeadline() {
        Decision d = failover(OLD, NEW);
        send(d);
        send(outcome("haproxy-1", d, null));
        await().atMost(DEADLINE.plus(SETTLE)).until(() -> reports().size() == 1);
        Map<String, String> facts = reports().get(0).details();
        assertTrue(facts.get("haproxy-1").startsWith("updated"), facts.toString());
        assertEquals("not confirmed within 2 s", facts.get("haproxy-2"));
        await().during(DEADLINE.plusSeconds(1)).atMost(DEADLINE.plus(SETTLE)).until(() -> reports().size() == 1);
    }

    @Test
    void aNewerFailoverSendsTheWaitingReportAtOnceAsItStandsAndHasAReportOfItsOwn() {
        Decision first = failover(OLD, NEW);
        Decision second = failover(NEW, NEWER);
        send(first);
        send(outcome("haproxy-1", first, null));
        send(second);
        await().atMost(SETTLE).until(() -> reports().size() == 1);
        Map<String, String> older = reports().get(0).details();
        assertEquals("10.0.0.2:6379", older.get("new master"));
        assertTrue(older.get("haproxy-1").startsWith("updated"), older.toString());
        assertEquals("not confirmed within 2 s", older.get("haproxy-2"));

        send(outcome("haproxy-1", first, null)); // the older routing: no report waits for it any more
        send(outcome("haproxy-1", second, null));
        send(outcome("haproxy-2", second, null));
        await().atMost(SETTLE).until(() -> reports().size() == 2);
        assertTrue(reports().get(1).summary().contains("to 10.0.0.3:6379; 2 of 2 destinations updated"), reports().get(1).summary());
        await().during(DEADLINE.plusSeconds(1)).atMost(DEADLINE.plus(SETTLE)).until(() -> reports().size() == 2);
    }

    @Test
    void aFailoverBackToTheMasterBeforeHasAReportOfItsOwn() {
        Decision there = failover(OLD, NEW);
        Decision back = failover(NEW, OLD);
        send(there);
        send(outcome("haproxy-1", there, null));
        send(outcome("haproxy-2", there, null));
        await().atMost(SETTLE).until(() -> reports().size() == 1);
        send(back);
        send(outcome("haproxy-1", back, null));
        send(outcome("haproxy-2", back, null));
        await().atMost(SETTLE).until(() -> reports().size() == 2);
        assertEquals("10.0.0.2:6379", reports().get(1).details().get("old master"));
        assertEquals("10.0.0.1:6379", reports().get(1).details().get("new master"));
    }

    @Test
    void outcomesNoFailoverWaitsForAreNoReport() {
        Decision d = failover(OLD, NEW);
        send(outcome("haproxy-1", d, null));
        send(new DestinationOutcome("haproxy-2", Routing.fence(d.routing().trigger(), OLD, "odown"), null, System.nanoTime()));
        await().during(DEADLINE.plusSeconds(1)).atMost(DEADLINE.plus(SETTLE)).until(() -> reports().isEmpty());
    }

    @Test
    void onlyAnotherVerifiedMasterIsAFailover() {
        Decision d = failover(OLD, NEW);
        assertTrue(d.failover());
        assertFalse(new Decision(d.routing(), d.verdict(), NEW).failover(), "the same master verified again");
        assertFalse(new Decision(d.routing(), d.verdict(), null).failover(), "the first master verified since start-up");
        assertFalse(Decision.of(d.routing()).failover(), "decided without the sentinels (a copy of a verified event)");
        assertFalse(new Decision(Routing.fence(d.routing().trigger(), OLD, "odown"), d.verdict(), OLD).failover(), "a fence");
    }
}
