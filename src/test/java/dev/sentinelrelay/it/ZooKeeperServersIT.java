package dev.sentinelrelay.it;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ZooKeeper the cluster tests run on: real servers that serve a client while, and only while, a majority is up. */
class ZooKeeperServersIT {

    private static final String ZNODE = "/it/znode";
    /** How long one read may take to fail without a quorum: the client's connection timeout times its tries. */
    private static final Duration READ_FAILS_WITHIN = Duration.ofSeconds(15);
    private static final Duration SERVES_AGAIN = Duration.ofSeconds(20);

    @Test
    void standaloneServesAClient() throws Exception {
        Path dir = Files.createTempDirectory("sentinel-relay-it-zk-");
        try (ZooKeeperServers zk = ZooKeeperServers.standalone(dir); CuratorFramework client = client(zk)) {
            assertEquals("standalone", zk.mode(1));
            client.create().creatingParentsIfNeeded().forPath(ZNODE, "v".getBytes(StandardCharsets.UTF_8));
            assertEquals("v", read(client));
        } finally {
            Sandbox.keepLogsAndDelete(dir);
        }
    }

    @Test
    void ensembleServesWithAMajorityOnlyAndRecovers() throws Exception {
        Path dir = Files.createTempDirectory("sentinel-relay-it-zk-");
        try (ZooKeeperServers zk = ZooKeeperServers.ensemble(dir, 3); CuratorFramework client = client(zk)) {
            client.create().creatingParentsIfNeeded().forPath(ZNODE, "v".getBytes(StandardCharsets.UTF_8));
            assertEquals("v", read(client));

            zk.kill(1);
            await("two of three serve").atMost(SERVES_AGAIN).until(() -> zk.isServing(2) && zk.isServing(3));
            await("the znode read with one node down").atMost(SERVES_AGAIN).ignoreExceptions()
                    .until(() -> "v".equals(read(client)));

            zk.kill(2);
            await("the last node stops serving").atMost(SERVES_AGAIN).until(() -> !zk.isServing(3));
            assertTrue(zk.process(3).alive(), "node 3 runs, it only lacks a quorum");
            assertTimeoutPreemptively(READ_FAILS_WITHIN, () -> assertThrows(Exception.class, () -> read(client)),
                    "a read without a quorum must fail, not hang");

            zk.start(1);
            zk.start(2);
            zk.awaitQuorum();
            await("the znode read once the nodes are back").atMost(SERVES_AGAIN).ignoreExceptions()
                    .until(() -> "v".equals(read(client)));
        } finally {
            Sandbox.keepLogsAndDelete(dir);
        }
    }

    /** A started client with short timeouts, so that a read without a quorum fails within seconds. */
    private static CuratorFramework client(ZooKeeperServers zk) {
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(zk.connectString())
                .sessionTimeoutMs(4000).connectionTimeoutMs(2000).retryPolicy(new RetryNTimes(2, 200)).build();
        client.start();
        return client;
    }

    private static String read(CuratorFramework client) throws Exception {
        return new String(client.getData().forPath(ZNODE), StandardCharsets.UTF_8);
    }
}
