package dev.sentinelrelay.configuration;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Cluster mode: relays with the same {@code name} elect one leader on ZooKeeper; only the leader writes to HAProxy,
 * Consul and the alert channels. Optional: without {@code relay.cluster.zookeeper} the relay runs alone
 * ({@link #read} returns null).
 *
 * @param zookeeper      connect string, {@code host:port[,host:port...][/chroot]}
 * @param name           relays with the same name elect one leader
 * @param instance       this relay's id in the cluster, shown by the API, the logs and the alerts
 * @param sessionTimeout how long ZooKeeper waits for a silent relay before its leadership passes on
 */
public record ClusterConfig(String zookeeper, String name, String instance, Duration sessionTimeout) {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern CONNECT = Pattern.compile(
            "[A-Za-z0-9.-]+:\\d{1,5}(,[A-Za-z0-9.-]+:\\d{1,5})*(/[A-Za-z0-9._-]+)*");
    private static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);

    /** The cluster settings, or null when {@code relay.cluster.zookeeper} is not set. */
    static ClusterConfig read(ConfigReader r) {
        String zookeeper = r.optional("relay.cluster.zookeeper", null);
        if (zookeeper == null) {
            return null;
        }
        if (!CONNECT.matcher(zookeeper).matches()) {
            throw new ConfigException("relay.cluster.zookeeper", "'" + zookeeper
                    + "' is not host:port[,host:port...] with an optional /chroot");
        }
        for (String server : zookeeper.replaceFirst("/.*$", "").split(",")) {
            r.convert("relay.cluster.zookeeper", server, HostPort::parse);
        }
        Duration timeout = r.duration("relay.cluster.session-timeout", "4s");
        if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new ConfigException("relay.cluster.session-timeout", "'" + timeout.toMillis()
                    + "ms' is not between 1s and 60s");
        }
        return new ClusterConfig(zookeeper, name(r, "relay.cluster.name", "sentinel-relay"),
                name(r, "relay.cluster.instance", defaultInstance()), timeout);
    }

    private static String name(ConfigReader r, String key, String fallback) {
        String value = r.optional(key, fallback);
        if (!NAME.matcher(value).matches()) {
            throw new ConfigException(key, "'" + value + "' may only contain letters, digits, '.', '-', '_' (at most 64)");
        }
        return value;
    }

    /** {@code <hostname>-<pid>}: unique on a host, and says where the relay runs. */
    static String defaultInstance() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "-");
        } catch (UnknownHostException e) {
            host = "relay";
        }
        String id = host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
        return id.length() <= 64 ? id : id.substring(id.length() - 64);
    }
}
