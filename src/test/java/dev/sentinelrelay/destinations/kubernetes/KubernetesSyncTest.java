package dev.sentinelrelay.destinations.kubernetes;

import dev.sentinelrelay.configuration.KubernetesConfig;
import dev.sentinelrelay.deadletter.DeadLetter;
import dev.sentinelrelay.destinations.Write;
import dev.sentinelrelay.resolve.Routing;
import dev.sentinelrelay.resolve.Trigger;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

import static dev.sentinelrelay.destinations.kubernetes.ServiceObjectsTest.MASTER;
import static dev.sentinelrelay.destinations.kubernetes.ServiceObjectsTest.ROUTED;
import static dev.sentinelrelay.destinations.kubernetes.ServiceObjectsTest.TARGET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The planner without Camel: tasks, the read-back's judgement, what is written, what a failure leaves. */
class KubernetesSyncTest {

    private static final KubernetesConfig CONFIG = new KubernetesConfig(null, null, null, null, 6379,
            Map.of("mymaster", "redis-mymaster"));

    private KubernetesSync sync() {
        return new KubernetesSync(CONFIG, "redis");
    }

    @Test
    void noTaskWhileOffOrForAMasterItDoesNotFollow() {
        assertEquals(List.of(), new KubernetesSync(null, null).tasks(ROUTED));
        assertEquals(List.of(), sync().tasks(Routing.route(Trigger.reconcile("other"), MASTER)));
        assertEquals(TARGET, sync().tasks(ROUTED).get(0).target());
    }

    @Test
    void readsBackUntilKnownThenSkipsWhatItHolds() {
        KubernetesSync sync = sync();
        Routing event = Routing.route(Trigger.promotion("mymaster", null), MASTER);
        KubernetesTask task = sync.prepare(sync.tasks(event).get(0));
        assertTrue(task.readBack(), "not known yet");
        sync.applied(task);
        assertNull(sync.prepare(sync.tasks(event).get(0)), "known to hold it");
        assertTrue(sync.prepare(sync.tasks(ROUTED).get(0)).readBack(), "a reconcile reads back");
        sync.forget();
        assertTrue(sync.prepare(sync.tasks(event).get(0)).readBack(), "a new leader reads back first");
    }

    @Test
    void inStepWritesNothingAndMissingWritesAll() {
        KubernetesSync sync = sync();
        KubernetesTask task = sync.prepare(sync.tasks(ROUTED).get(0));
        Observed held = new Observed(ServiceObjects.service(TARGET, "mymaster"), ServiceObjects.slice(TARGET, ROUTED));
        assertEquals(Write.NONE, sync.afterReadBack(task, held).write());
        assertEquals(ROUTED.holding(), sync.holding("mymaster"));
        assertEquals(Write.FULL, sync.afterReadBack(task, new Observed(null, null)).write());
        assertNull(sync.holding("mymaster"));
        Desired desired = sync.writeRequest(task);
        assertEquals("redis-mymaster", desired.service().getMetadata().getName());
        assertEquals(List.of("10.0.0.2"), desired.slice().getEndpoints().get(0).getAddresses());
    }

    @Test
    void anObjectThatIsNotTheRelaysIsRefused() {
        KubernetesSync sync = sync();
        KubernetesTask task = sync.prepare(sync.tasks(ROUTED).get(0));
        Observed foreignService = new Observed(new ServiceBuilder(ServiceObjects.service(TARGET, "mymaster"))
                .editMetadata().withLabels(Map.of()).endMetadata().build(), null);
        KubernetesRefusal refusal = assertThrows(KubernetesRefusal.class, () -> sync.afterReadBack(task, foreignService));
        assertTrue(refusal.getMessage().startsWith("Service redis/redis-mymaster exists and is not managed by sentinel-relay"),
                refusal.getMessage());
        Observed foreignSlice = new Observed(null, new EndpointSliceBuilder(ServiceObjects.slice(TARGET, ROUTED))
                .editMetadata().withLabels(Map.of("kubernetes.io/service-name", "redis-mymaster")).endMetadata().build());
        assertTrue(assertThrows(KubernetesRefusal.class, () -> sync.afterReadBack(task, foreignSlice)).getMessage()
                .contains("endpointslice.kubernetes.io/managed-by=sentinel-relay"));
    }

    @Test
    void aFailureIsDeadLetteredWithItsReasonAndForgetsWhatWasHeld() {
        KubernetesSync sync = sync();
        KubernetesTask task = sync.tasks(ROUTED).get(0);
        sync.applied(task);
        Exception cause = new RuntimeException("wrapped", KubernetesRefusal.forbidden("create", "services", "redis"));
        DeadLetter letter = sync.deadLetter(task, cause);
        assertEquals("kubernetes (redis/redis-mymaster)", letter.destination());
        assertEquals("redis/redis-mymaster", letter.details().get("service"));
        assertEquals(ROUTED.holding(), letter.details().get("wanted"));
        String reason = sync.failed(task, cause);
        assertTrue(reason.startsWith("forbidden (HTTP 403): the relay may not create services in namespace redis"), reason);
        assertEquals(reason, letter.reason());
        assertNull(sync.holding("mymaster"));
    }

    @Test
    void aFailureIsLoggedAsAnErrorOncePerReasonUntilTheMasterIsInStepAgain() {
        Logger logger = (Logger) LoggerFactory.getLogger(KubernetesSync.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            KubernetesSync sync = sync();
            KubernetesTask task = sync.tasks(ROUTED).get(0);
            RuntimeException forbidden = KubernetesRefusal.forbidden("get", "services", "redis");
            sync.failed(task, forbidden);
            sync.failed(task, forbidden); // the next reconcile, refused again
            sync.failed(task, new IllegalStateException("connection refused"));
            sync.applied(task);
            sync.failed(task, forbidden);
            List<String> errors = log.list.stream().filter(e -> e.getLevel() == Level.ERROR)
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(3, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains("the relay may not get services in namespace redis"), errors.get(0));
        } finally {
            logger.detachAppender(log);
        }
    }
}
