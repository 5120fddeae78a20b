package dev.sentinelrelay;

import dev.sentinelrelay.alerts.AlertChannels;
import dev.sentinelrelay.alerts.AlertDedup;
import dev.sentinelrelay.alerts.AlertDelivery;
import dev.sentinelrelay.alerts.AlertMessages;
import dev.sentinelrelay.alerts.AlertOutbox;
import dev.sentinelrelay.alerts.AlertRetry;
import dev.sentinelrelay.alerts.Alerts;
import dev.sentinelrelay.alerts.FailoverReports;
import dev.sentinelrelay.alerts.DeliveredAlerts;
import dev.sentinelrelay.cluster.Leadership;
import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.destinations.consul.ConsulSync;
import dev.sentinelrelay.destinations.kubernetes.KubernetesSync;
import org.apache.camel.spi.Registry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Stage 7's beans (routes/70-alerts.yaml). */
final class AlertWiring {

    private AlertWiring() {
    }

    /**
     * Alerts are raised by route steps and queued on seda:alerts, never waited for; with no channel configured they are
     * only logged. In a cluster the leader records what it delivered in {@code delivered} (alertDelivery), next to the
     * election: {@link ClusterWiring#delivered}.
     */
    static void alerts(Wiring w, Leadership leadership, DeliveredAlerts delivered) {
        Registry registry = w.registry();
        AlertsConfig settings = w.config().alerts();
        List<String> destinations = new ArrayList<>(w.config().haproxyEndpoints().stream().map(HaproxyEndpoint::id).toList());
        if (w.config().consulEnabled()) {
            destinations.add(ConsulSync.DESTINATION);
        }
        if (w.config().kubernetesEnabled()) {
            destinations.add(KubernetesSync.DESTINATION);
        }
        registry.bind("alerts", new Alerts(() -> w.followed().all().size(), w.followed()::majority));
        FailoverReports reports = new FailoverReports(destinations, FailoverReports.DEADLINE);
        registry.bind("failoverReports", reports);
        registry.bind("failoverReportsControl", reports.control());
        registry.bind("deadLetters", w.deadLetters());
        registry.bind("relayMetrics", w.metrics());
        registry.bind("alertDedup", new AlertDedup(settings.repeatAfter()));
        AlertOutbox outbox = new AlertOutbox(settings, w.deadLetters().file().getParent(), w.deadLetters());
        registry.bind("alertOutbox", outbox);
        registry.bind("alertDelivery", new AlertDelivery(settings, delivered, outbox, Instant::now));
        registry.bind("alertMessages", new AlertMessages(settings));
        registry.bind("alertRetry", new AlertRetry(settings, leadership::mayWrite));
        for (AlertsConfig.Channel channel : settings.channels()) {
            if (!channel.type().http()) {
                registry.bind(AlertChannels.mailPropertiesBean(channel),
                        AlertChannels.mailProperties(channel, settings.timeout().toMillis()));
            }
        }
    }
}
