package dev.sentinelrelay;

import dev.sentinelrelay.alerts.ConfigMapDeliveredAlerts;
import dev.sentinelrelay.alerts.DeliveredAlerts;
import dev.sentinelrelay.alerts.ZooKeeperDeliveredAlerts;
import dev.sentinelrelay.cluster.Leadership;
import dev.sentinelrelay.configuration.ClusterConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.CamelContext;
import org.apache.camel.component.zookeepermaster.MasterComponent;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stage 0's beans: the election (routes/05-leadership.yaml) and the write gate every stage asks. */
final class ClusterWiring {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterWiring.class);
    /** ZooKeeper operations (the election's) retry from 250 ms up to the session timeout apart. */
    private static final int CURATOR_RETRY_MS = 250;
    private static final int CURATOR_RETRIES = 20;
    /** The route of routes/05-leadership.yaml whose zookeeper-master endpoint takes part in the election. */
    private static final String LEADERSHIP_ROUTE = "leadership";
    /** Set from the downward API in deploy/kubernetes/relay.yaml. */
    private static final String POD_NAMESPACE = "POD_NAMESPACE";

    private ClusterWiring() {
    }

    /** The write gate (bean {@code leadership}); {@code curator} is null when the relay takes part in no election. */
    static Leadership leadership(Wiring w, CuratorFramework curator) {
        return bind(w, new Leadership(w.config().cluster(), w.config().observe(), curator, System::nanoTime));
    }

    /**
     * The write gate on a Kubernetes Lease (relay.cluster.kubernetes.*), in the configured namespace, else the pod's:
     * POD_NAMESPACE (the downward API), else the client's (in a pod the service account's namespace file).
     */
    static Leadership leadership(Wiring w, KubernetesClient client) {
        ClusterConfig cluster = w.config().cluster();
        String namespace = leaseNamespace(cluster, client);
        LOG.info("cluster {}: electing on the Lease {}/{} of {}", cluster.name(), namespace, cluster.lease().name(),
                client.getMasterUrl());
        return bind(w, new Leadership(cluster, client, namespace, System::nanoTime));
    }

    private static String leaseNamespace(ClusterConfig cluster, KubernetesClient client) {
        if (cluster.lease().namespace() != null) {
            return cluster.lease().namespace();
        }
        String pod = System.getenv(POD_NAMESPACE);
        return pod != null && !pod.isBlank() ? pod : client.getNamespace() != null ? client.getNamespace() : "default";
    }

    /**
     * Where the leader records the alerts it delivered, so a standby drops them and a new leader sends only the rest:
     * on ZooKeeper next to the election, on a Lease a ConfigMap {@code <lease>-alerts} beside it; alone nowhere.
     */
    static DeliveredAlerts delivered(Wiring w, CuratorFramework curator, KubernetesClient client) {
        ClusterConfig cluster = w.config().cluster();
        if (curator != null) {
            return new ZooKeeperDeliveredAlerts(curator, Leadership.electionRoot(cluster) + "/alerts");
        }
        if (w.config().electsOnLease()) {
            return new ConfigMapDeliveredAlerts(client, leaseNamespace(cluster, client), cluster.lease().name() + "-alerts");
        }
        return DeliveredAlerts.NONE;
    }

    private static Leadership bind(Wiring w, Leadership leadership) {
        CamelContext context = w.context();
        leadership.rejoinWith(() -> {
            try {
                context.getRouteController().stopRoute(LEADERSHIP_ROUTE);
                context.getRouteController().startRoute(LEADERSHIP_ROUTE);
            } catch (Exception e) {
                LOG.error("cannot restart the {} route: {}", LEADERSHIP_ROUTE, e.toString());
            }
        });
        w.registry().bind("leadership", leadership);
        w.metrics().leadership(leadership::leaderGauge, leadership::changes);
        return leadership;
    }

    /**
     * Cluster mode: one ZooKeeper client (bean {@code curator}) for the election of routes/05-leadership.yaml
     * (camel-zookeeper-master, under {@link Leadership#electionRoot}) and for Leadership's own checks, with the
     * configured session timeout (camel-zookeeper-master has no such option). Connects in the background: a relay
     * that starts while ZooKeeper is down follows the sentinels and writes nothing until it is back.
     */
    static CuratorFramework curator(CamelContext context, ClusterConfig cluster) {
        int timeout = (int) cluster.sessionTimeout().toMillis();
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(cluster.zookeeper())
                .sessionTimeoutMs(timeout)
                .connectionTimeoutMs(timeout)
                .retryPolicy(new ExponentialBackoffRetry(CURATOR_RETRY_MS, CURATOR_RETRIES, timeout))
                .build();
        client.start();
        context.getRegistry().bind("curator", client);
        MasterComponent election = context.getComponent("zookeeper-master", MasterComponent.class);
        election.setCurator(client);
        election.setZkRoot(Leadership.electionRoot(cluster));
        election.setContainerIdFactory(cluster::instance);
        return client;
    }
}
