package dev.sentinelrelay;

import dev.sentinelrelay.alerts.AlertChannels;
import dev.sentinelrelay.alerts.AlertDedup;
import dev.sentinelrelay.alerts.AlertDelivery;
import dev.sentinelrelay.alerts.AlertMessages;
import dev.sentinelrelay.alerts.AlertOutbox;
import dev.sentinelrelay.alerts.AlertRetry;
import dev.sentinelrelay.alerts.Alerts;
import dev.sentinelrelay.alerts.DeliveredAlerts;
import dev.sentinelrelay.alerts.ZooKeeperDeliveredAlerts;
import dev.sentinelrelay.cluster.Leadership;
import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.destinations.consul.ConsulSync;
import dev.sentinelrelay.destinations.kubernetes.KubernetesSync;
import dev.sentinelrelay.resolve.RelayObserver;
import org.apache.curator.framework.CuratorFramework;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Stage 7's beans (routes/70-alerts.yaml). */
final class AlertWiring {

    private static final Logger LOG = LoggerFactory.getLogger(AlertWiring.class);

    private AlertWiring() {
    }

    /**
     * Alerts are queued on seda:alerts and never waited for; with no channel configured they are only logged. The
     * dead-letter store raises an alert for every dead letter. In a cluster the leader records what it delivered in
     * ZooKeeper (alertDelivery), next to the election; {@code curator} is null otherwise.
     */
    static Alerts alerts(Wiring w, Leadership leadership, CuratorFramework curator) {
        Registry registry = w.registry();
        AlertsConfig settings = w.config().alerts();
        List<String> destinations = new ArrayList<>(w.config().haproxyEndpoints().stream().map(HaproxyEndpoint::id).toList());
        if (w.config().consulEnabled()) {
            destinations.add(ConsulSync.DESTINATION);
        }
        if (w.config().kubernetesEnabled()) {
            destinations.add(KubernetesSync.DESTINATION);
        }
        Alerts alerts = new Alerts(destinations, () -> w.followed().all().size(), alert -> {
            try {
                w.producer().sendBody("seda:alerts", alert);
            } catch (RuntimeException e) {
                LOG.error("alert not queued ({}): {}", e.getMessage(), alert);
            }
        }, Alerts.FAILOVER_REPORT_DEADLINE);
        registry.bind("alerts", alerts);
        registry.bind("alertDedup", new AlertDedup(settings.repeatAfter()));
        AlertOutbox outbox = new AlertOutbox(settings, w.deadLetters().file().getParent(), w.deadLetters());
        registry.bind("alertOutbox", outbox);
        // in a cluster the leader records what it delivered, per channel, in ZooKeeper; alone nobody needs to know
        DeliveredAlerts delivered = curator == null ? DeliveredAlerts.NONE
                : new ZooKeeperDeliveredAlerts(curator, Leadership.electionRoot(w.config().cluster()) + "/alerts");
        registry.bind("alertDelivery", new AlertDelivery(settings, delivered, outbox, Instant::now));
        registry.bind("alertMessages", new AlertMessages(settings));
        registry.bind("alertRetry", new AlertRetry(settings, leadership::mayWrite));
        for (AlertsConfig.Channel channel : settings.channels()) {
            if (!channel.type().http()) {
                registry.bind(AlertChannels.mailPropertiesBean(channel),
                        AlertChannels.mailProperties(channel, settings.timeout().toMillis()));
            }
        }
        // alert channels' failures are counted here; HAProxy's and Consul's by their routes (relayState)
        w.deadLetters().observe(new RelayObserver() {
            @Override
            public void deadLettered(String destination, Map<String, String> details) {
                alerts.deadLettered(destination, details);
                if (destination.startsWith(AlertOutbox.DESTINATION_PREFIX)) {
                    w.metrics().destinationFailed(destination);
                }
            }
        });
        return alerts;
    }
}
