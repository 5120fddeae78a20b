package dev.sentinelrelay.alerts;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;

/**
 * The delivered registry in ZooKeeper: one persistent node per channel and alert,
 * {@code <root>/<channel>/<alert id>}, holding the delivery time (ISO-8601). Root is
 * {@code /sentinel-relay/<cluster name>/alerts}. Each call is one attempt on the cluster's client (bean
 * {@code curator}) and fails at once when ZooKeeper is not connected, so an alert route never waits for it.
 */
public final class ZooKeeperDeliveredAlerts implements DeliveredAlerts {

    private final CuratorFramework curator;
    private final String root;

    public ZooKeeperDeliveredAlerts(CuratorFramework curator, String root) {
        this.curator = curator;
        this.root = root;
    }

    @Override
    public void record(String channel, String id, Instant at) throws Exception {
        ZooKeeper zk = connected();
        String path = ZKPaths.makePath(root, channel, id);
        byte[] data = at.toString().getBytes(StandardCharsets.UTF_8);
        try {
            zk.setData(path, data, -1);
        } catch (KeeperException.NoNodeException absent) {
            ZKPaths.mkdirs(zk, ZKPaths.makePath(root, channel));
            try {
                zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            } catch (KeeperException.NodeExistsException raced) {
                zk.setData(path, data, -1);
            }
        }
    }

    @Override
    public Map<String, Instant> delivered(String channel) throws Exception {
        ZooKeeper zk = connected();
        String dir = ZKPaths.makePath(root, channel);
        Map<String, Instant> out = new HashMap<>();
        try {
            for (String id : zk.getChildren(dir, false)) {
                try {
                    out.put(id, Instant.parse(new String(zk.getData(ZKPaths.makePath(dir, id), false, null),
                            StandardCharsets.UTF_8)));
                } catch (KeeperException.NoNodeException pruned) {
                    // forgotten meanwhile
                } catch (DateTimeParseException unreadable) {
                    // not written by a relay: oldest possible, so the leader prunes it
                    out.put(id, Instant.EPOCH);
                }
            }
        } catch (KeeperException.NoNodeException none) {
            // nothing delivered on this channel yet
        }
        return out;
    }

    @Override
    public void forget(String channel, String id) throws Exception {
        try {
            connected().delete(ZKPaths.makePath(root, channel, id), -1);
        } catch (KeeperException.NoNodeException gone) {
            // pruned already
        }
    }

    private ZooKeeper connected() throws Exception {
        if (!curator.getZookeeperClient().isConnected()) {
            throw new IllegalStateException("not connected to ZooKeeper");
        }
        return curator.getZookeeperClient().getZooKeeper();
    }
}
