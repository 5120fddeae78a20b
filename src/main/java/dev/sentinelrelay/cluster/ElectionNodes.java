package dev.sentinelrelay.cluster;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who leads, from the election's nodes in ZooKeeper, the way camel-zookeeper-master decides it: of each relay
 * (container) only its newest node counts, and the lowest sequence among those leads.
 */
final class ElectionNodes {

    /**
     * One node of the election.
     *
     * @param name     the znode's name, ending in its sequence number ({@code 0000000012})
     * @param instance the relay that created it (its {@code container})
     * @param session  the ZooKeeper session that owns it (ephemeral owner)
     */
    record Node(String name, String instance, long session) {
        long sequence() {
            String digits = name.replaceAll("^.*?(\\d+)$", "$1");
            return digits.isEmpty() || !Character.isDigit(digits.charAt(0)) ? Long.MAX_VALUE : Long.parseLong(digits);
        }
    }

    private ElectionNodes() {
    }

    static Optional<Node> leader(List<Node> nodes) {
        Map<String, Node> newest = new LinkedHashMap<>();
        for (Node node : nodes) {
            newest.merge(node.instance(), node, (a, b) -> a.sequence() >= b.sequence() ? a : b);
        }
        return newest.values().stream().min(Comparator.comparingLong(Node::sequence));
    }
}
