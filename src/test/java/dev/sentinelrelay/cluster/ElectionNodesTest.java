package dev.sentinelrelay.cluster;

import dev.sentinelrelay.cluster.ElectionNodes.Node;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ElectionNodesTest {

    @Test
    void theLowestSequenceLeads() {
        List<Node> nodes = List.of(new Node("0000000007", "relay-2", 2), new Node("0000000003", "relay-1", 1),
                new Node("0000000009", "relay-3", 3));
        assertEquals(Optional.of(nodes.get(1)), ElectionNodes.leader(nodes));
    }

    @Test
    void onlyARelaysNewestNodeCounts() {
        // relay-1 lost its session and came back: its old node (3) no longer counts, its new one (12) queues last
        Node stale = new Node("0000000003", "relay-1", 1);
        Node relay2 = new Node("0000000007", "relay-2", 2);
        Node fresh = new Node("0000000012", "relay-1", 11);
        assertEquals(Optional.of(relay2), ElectionNodes.leader(List.of(stale, relay2, fresh)));
    }

    @Test
    void noNodesNoLeader() {
        assertEquals(Optional.empty(), ElectionNodes.leader(List.of()));
    }

    @Test
    void aNameWithoutSequenceQueuesLast() {
        Node odd = new Node("lock", "relay-9", 9);
        Node relay1 = new Node("0000000004", "relay-1", 1);
        assertEquals(Optional.of(relay1), ElectionNodes.leader(List.of(odd, relay1)));
    }
}
