package dev.sentinelrelay.configuration;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Cluster mode: relays with the same {@code name} elect one leader, on ZooKeeper ({@code relay.cluster.zookeeper}) or
 * on a Kubernetes Lease ({@code relay.cluster.kubernetes.enabled}); only the leader writes to HAProxy, Consul,
 * Kubernetes and the alert channels. Optional: with neither set the relay runs alone ({@link #read} returns null).
 *
 * @param zookeeper      connect string, {@code host:port[,host:port...][/chroot]}; null on a Lease
 * @param lease          the Lease elected on; null on ZooKeeper
 * @param name           relays with the same name elect one leader
 * @param instance       this relay's id in the cluster, shown by the API, the logs and the alerts
 * @param sessionTimeout how long a silent leader keeps its leadership before it passes on: ZooKeeper's session
 *                       timeout, or the Lease's duration
 */
public record ClusterConfig(String zookeeper, Lease lease, String name, String instance, Duration sessionTimeout) {

    /**
     * The Kubernetes Lease the relays elect on ({@code relay.cluster.kubernetes.*}).
     *
     * @param namespace the Lease's namespace; null for the pod's (POD_NAMESPACE, else the client's: in a pod the
     *                  service account's namespace file)
     * @param name      the Lease's name
     */
    public record Lease(String namespace, String name) {
    }

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern CONNECT = Pattern.compile(
            "[A-Za-z0-9.-]+:\\d{1,5}(,[A-Za-z0-9.-]+:\\d{1,5})*(/[A-Za-z0-9._-]+)*");
    /** A Lease's name is a DNS-1123 subdomain; this relay keeps to one label, like its Services. */
    private static final Pattern LEASE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration MIN_LEASE = Duration.ofSeconds(2);
    private static final String KUBERNETES = "relay.cluster.kubernetes.";
    private static final List<String> LEASE_SETTINGS = List.of("namespace", "lease", "lease-duration");

    /** The cluster settings, or null when neither ZooKeeper nor a Lease is set. */
    static ClusterConfig read(ConfigReader r) {
        String zookeeper = r.optional("relay.cluster.zookeeper", null);
        boolean onLease = r.bool(KUBERNETES + "enabled", false);
        if (zookeeper != null && onLease) {
            throw new ConfigException("relay.cluster.zookeeper", "is set together with relay.cluster.kubernetes.enabled:"
                    + " relays elect on ZooKeeper or on a Kubernetes Lease, not both");
        }
        if (!onLease) {
            for (String key : LEASE_SETTINGS) {
                if (r.optional(KUBERNETES + key, null) != null) {
                    throw new ConfigException(KUBERNETES + key, "is set but relay.cluster.kubernetes.enabled is not true");
                }
            }
        }
        if (onLease) {
            return onLease(r);
        }
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
        return new ClusterConfig(zookeeper, null, name(r, "relay.cluster.name", "sentinel-relay"),
                name(r, "relay.cluster.instance", defaultInstance()), timeout);
    }

    private static ClusterConfig onLease(ConfigReader r) {
        if (r.optional("relay.cluster.session-timeout", null) != null) {
            throw new ConfigException("relay.cluster.session-timeout", "is ZooKeeper's; on a Kubernetes Lease set"
                    + " relay.cluster.kubernetes.lease-duration");
        }
        String name = name(r, "relay.cluster.name", "sentinel-relay");
        String namespace = r.optional(KUBERNETES + "namespace", null);
        if (namespace != null && !KubernetesConfig.NAMESPACE.matcher(namespace).matches()) {
            throw new ConfigException(KUBERNETES + "namespace", "'" + namespace
                    + "' is not a namespace name: lower-case letters, digits and '-', at most 63");
        }
        String lease = r.optional(KUBERNETES + "lease", name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-"));
        if (!LEASE_NAME.matcher(lease).matches()) {
            throw new ConfigException(KUBERNETES + "lease", "'" + lease + "' is not a Lease name: lower-case letters,"
                    + " digits and '-', starting and ending with a letter or digit, at most 63");
        }
        Duration duration = r.duration(KUBERNETES + "lease-duration", "15s");
        if (duration.compareTo(MIN_LEASE) < 0 || duration.compareTo(MAX_TIMEOUT) > 0
                || duration.toMillis() % 1000 != 0) {
            throw new ConfigException(KUBERNETES + "lease-duration", "'" + duration.toMillis()
                    + "ms' is not whole seconds between 2s and 60s (a Lease holds its duration in seconds)");
        }
        return new ClusterConfig(null, new Lease(namespace, lease), name,
                name(r, "relay.cluster.instance", defaultInstance()), duration);
    }

    private static String name(ConfigReader r, String key, String fallback) {
        String value = r.optional(key, fallback);
        if (!NAME.matcher(value).matches()) {
            throw new ConfigException(key, "'" + value + "' may only contain letters, digits, '.', '-', '_' (at most 64)");
        }
        return value;
    }

    /** {@code <hostname>-<pid>}: unique on a host, and says where the relay runs (in a pod the hostname is the pod's name). */
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

    /** Where the relays elect, for the start-up log. */
    @Override
    public String toString() {
        String on = lease == null ? "ZooKeeper " + zookeeper
                : "Lease " + (lease.namespace() == null ? "<pod namespace>" : lease.namespace()) + "/" + lease.name();
        return name + " as " + instance + " on " + on + ", " + (lease == null ? "session timeout " : "lease duration ")
                + sessionTimeout.toMillis() + " ms";
    }
}
