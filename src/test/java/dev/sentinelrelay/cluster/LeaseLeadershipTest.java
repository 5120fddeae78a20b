package dev.sentinelrelay.cluster;

import dev.sentinelrelay.configuration.ClusterConfig;
import dev.sentinelrelay.support.MockApiServer;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write gate on a Kubernetes Lease, without Camel: fabric8's mock API server in CRUD mode (in this JVM; it keeps
 * resource versions and refuses stale updates as an API server does) and a clock the test moves.
 */
class LeaseLeadershipTest {

    private static final String NS = "redis";
    private static final Duration DURATION = Duration.ofSeconds(4);
    private static final long HALF = DURATION.toNanos() / 2;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    /** A server of its own per test (JUnit makes an instance per test). */
    private final MockApiServer api = new MockApiServer();
    private final KubernetesClient client = api.client();

    @AfterEach
    void stop() {
        api.close();
    }

    private Leadership relay(String instance) {
        return new Leadership(new ClusterConfig(null, new ClusterConfig.Lease(NS, "relays"), "prod", instance, DURATION),
                client, NS, clock::get);
    }

    private Lease lease() {
        return client.leases().inNamespace(NS).withName("relays").get();
    }

    private void advance(long nanos) {
        clock.addAndGet(nanos);
    }

    @Test
    void theFirstRelayCreatesTheLeaseAndLeadsTheOthersStandBy() {
        Leadership a = relay("relay-a");
        Leadership b = relay("relay-b");
        ClusterChange took = a.tick();
        assertEquals(ClusterChange.Kind.LEADER_CHANGED, took.kind());
        assertNull(took.other(), "nobody led before");
        assertNull(b.tick());
        assertTrue(a.mayWrite());
        assertFalse(b.mayWrite());
        assertEquals(Leadership.Role.LEADER, a.role());
        assertEquals(Leadership.Role.STANDBY, b.role());
        assertEquals("relay-a", lease().getSpec().getHolderIdentity());
        assertEquals(4, lease().getSpec().getLeaseDurationSeconds());
        assertEquals("relay-a", ((Map<?, ?>) a.view().get("kubernetes")).get("holder"));
        assertEquals("redis/relays", ((Map<?, ?>) b.view().get("kubernetes")).get("lease"));
    }

    @Test
    void aLeaseRenewedInTimeIsNeverTakenHoweverLongItLasts() {
        Leadership a = relay("relay-a");
        Leadership b = relay("relay-b");
        a.tick();
        for (int i = 0; i < 20; i++) {
            advance(DURATION.toNanos() / 4);
            assertNull(a.tick());
            assertNull(b.tick());
            assertTrue(a.mayWrite());
            assertFalse(b.mayWrite());
        }
        assertEquals("relay-a", lease().getSpec().getHolderIdentity());
        assertEquals(0, lease().getSpec().getLeaseTransitions());
    }

    @Test
    void aLeaseUnrenewedForItsDurationOnTheStandbysOwnClockIsTakenOver() {
        Leadership a = relay("relay-a");
        Leadership b = relay("relay-b");
        a.tick();
        b.tick(); // b sees a's version now
        b.watch();
        advance(DURATION.toNanos() - 1);
        assertNull(b.tick(), "not yet a full duration since b saw it");
        advance(1);
        ClusterChange took = b.tick();
        assertEquals("relay-a", took.other(), "b takes over from a, whom it saw leading");
        assertTrue(b.mayWrite());
        assertEquals("relay-b", lease().getSpec().getHolderIdentity());
        assertEquals(1, lease().getSpec().getLeaseTransitions());
    }

    @Test
    void aLeaderResumedAfterAFreezePastTheLeaseAsksFirstAndWritesNothing() {
        Leadership a = relay("relay-a");
        Leadership b = relay("relay-b");
        a.tick();
        b.tick();
        // a frozen: no tick; b takes over after a full duration of its own
        advance(DURATION.toNanos());
        assertEquals(ClusterChange.Kind.LEADER_CHANGED, b.tick().kind());
        api.takeRequests();

        // a resumes: its gate lease (half the duration) has run out, so a write asks the API server first
        assertFalse(a.mayWrite());
        List<RecordedRequest> asked = api.takeRequests();
        assertEquals(List.of("GET"), asked.stream().map(RecordedRequest::getMethod).toList(),
                "the resumed relay only reads the Lease: " + asked);
        assertEquals(Leadership.Role.STANDBY, a.role());
        assertNull(a.tick());
        assertEquals(List.of("GET"), api.takeRequests().stream().map(RecordedRequest::getMethod).toList());
        assertEquals("relay-b", lease().getSpec().getHolderIdentity());
    }

    @Test
    void theGateLeaseIsHalfTheDurationAfterItTheLeaderConfirmsByRenewing() {
        Leadership a = relay("relay-a");
        a.tick();
        String version = lease().getMetadata().getResourceVersion();
        advance(HALF - 1);
        api.takeRequests();
        assertTrue(a.mayWrite());
        assertEquals(List.of(), api.takeRequests(), "within the gate lease: no request");
        advance(1);
        assertTrue(a.mayWrite());
        assertEquals(List.of("GET", "PUT"), api.takeRequests().stream().map(RecordedRequest::getMethod).toList());
        assertFalse(version.equals(lease().getMetadata().getResourceVersion()), "renewed");
    }

    @Test
    void twoRelaysWritingTheSameVersionOnlyOneWins() {
        LeaseStore first = new LeaseStore(client, NS, "relays");
        LeaseStore second = new LeaseStore(client, NS, "relays");
        first.create("relay-a", 4);
        first.read();
        second.read();
        first.write("relay-b", 4, true);
        KubernetesClientException conflict = assertThrows(KubernetesClientException.class,
                () -> second.write("relay-c", 4, true));
        assertEquals(409, conflict.getCode());
        assertEquals("relay-b", lease().getSpec().getHolderIdentity());
    }

    @Test
    void theApiServerUnreachableNobodyWritesTheCutOffIsAlertedOnceAndTheReturnRestoresIt() {
        Leadership a = relay("relay-a");
        a.tick();
        a.watch();
        api.stop();
        assertNull(a.tick());
        assertFalse(a.mayWrite(), "the leader stops writing at its first unanswered heartbeat");
        assertEquals("UNREACHABLE", ((Map<?, ?>) a.view().get("kubernetes")).get("state"));
        // the watch runs every second: cut off for a lease duration of running time
        for (int s = 1; s < DURATION.toSeconds(); s++) {
            advance(Duration.ofSeconds(1).toNanos());
            assertEquals(List.of(), a.watch());
        }
        advance(Duration.ofSeconds(1).toNanos());
        List<ClusterChange> lost = a.watch();
        assertEquals(1, lost.size());
        assertEquals(ClusterChange.Kind.COORDINATION_LOST, lost.get(0).kind());
        assertEquals("the Kubernetes API server", lost.get(0).engine());
        advance(Duration.ofSeconds(1).toNanos());
        assertEquals(List.of(), a.watch(), "reported once");

        api.start();
        assertEquals(ClusterChange.Kind.LEADER_CHANGED, a.tick().kind(), "its own Lease: it leads again");
        assertTrue(a.mayWrite());
        assertEquals(List.of(ClusterChange.Kind.COORDINATION_RESTORED), a.watch().stream().map(ClusterChange::kind).toList());
    }

    @Test
    void aSlowFirstHeartbeatIsNoCutOffAnUnansweredOneIs() {
        Leadership a = relay("relay-a");
        for (int s = 0; s < 2 * DURATION.toSeconds(); s++) {
            advance(Duration.ofSeconds(1).toNanos());
            assertEquals(List.of(), a.watch(), "no request made yet");
        }
        api.stop();
        assertNull(a.tick());
        List<ClusterChange.Kind> seen = new java.util.ArrayList<>();
        for (int s = 0; s < DURATION.toSeconds(); s++) {
            advance(Duration.ofSeconds(1).toNanos());
            a.watch().forEach(c -> seen.add(c.kind()));
        }
        assertEquals(List.of(ClusterChange.Kind.COORDINATION_LOST), seen);
    }
}
