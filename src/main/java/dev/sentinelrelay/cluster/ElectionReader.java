package dev.sentinelrelay.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The election of routes/05-leadership.yaml as ZooKeeper holds it now: each node's relay (the {@code container} of
 * camel-zookeeper-master's node state, a JSON document) and owner session. Read on every call, not from a watched
 * copy: a write after a pause rests on what ZooKeeper says now. Hand-written because camel-zookeeper-master shows no
 * one who leads (its consumer says only whether this relay does) and its group view, watched, holds no sessions.
 */
final class ElectionReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CuratorFramework curator;
    private final String path;

    ElectionReader(CuratorFramework curator, String path) {
        this.curator = curator;
        this.path = path;
    }

    boolean isConnected() {
        try {
            return curator.getZookeeperClient().isConnected()
                    && curator.getZookeeperClient().getZooKeeper().getState().isConnected();
        } catch (Exception e) {
            return false;
        }
    }

    /** This client's ZooKeeper session. */
    long session() throws Exception {
        return curator.getZookeeperClient().getZooKeeper().getSessionId();
    }

    /** The session timeout ZooKeeper granted, or the one asked for while it is not known. */
    long negotiatedTimeoutNanos(long asked) {
        try {
            return TimeUnit.MILLISECONDS.toNanos(curator.getZookeeperClient().getZooKeeper().getSessionTimeout());
        } catch (Exception e) {
            return asked;
        }
    }

    /** The election's nodes; one that is gone by the time it is read, or names no relay, is left out. */
    List<ElectionNodes.Node> nodes() throws Exception {
        ZooKeeper zk = curator.getZookeeperClient().getZooKeeper();
        List<ElectionNodes.Node> nodes = new ArrayList<>();
        for (String child : zk.getChildren(path, false)) {
            Stat stat = new Stat();
            String instance;
            try {
                instance = instance(zk.getData(path + "/" + child, false, stat));
            } catch (KeeperException.NoNodeException gone) {
                continue;
            }
            if (instance != null) {
                nodes.add(new ElectionNodes.Node(child, instance, stat.getEphemeralOwner()));
            }
        }
        return nodes;
    }

    /** The relay (container) a node's state names; null when the node holds no readable state. */
    static String instance(byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            JsonNode container = JSON.readTree(data).path("container");
            return container.isTextual() ? container.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
