package dev.sentinelrelay.alerts;

import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.AlertsConfig.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Alerts across the relays of a cluster (bean {@code alertDelivery}, routes/70-alerts.yaml). Every relay raises,
 * deduplicates, groups and stores its alerts in its own outbox; only the leader sends them (the channel route asks
 * {@code leadership.mayWrite}) and records each alert it carried in the {@link DeliveredAlerts delivered registry}.
 * Each outbox scan drops from this relay's outbox what the registry says was delivered on that channel, so a
 * standby holds exactly what the leader may not have sent, and a new leader (route {@code takeover}) sends only that.
 * Alone the registry is {@link DeliveredAlerts#NONE}: nothing is recorded or dropped, the outbox works as before.
 *
 * <p>Registry entries live {@code relay.alerts.repeat-after}: the leader prunes older ones. A relay that does not
 * write drops from its outbox what is older than that too (the registry can no longer tell whether it went out),
 * and a replayed dead letter ({@code bin/relay replay}) belongs on the leader. An alert raised again within the
 * window after its resolve has the same id (see {@link Alert}): if the leader dies before sending that second
 * occurrence, the new leader counts it as sent. That loss is preferred to a duplicate of the first one. The
 * registry is read at the outbox scan, not before each send: an alert still in the new leader's group window when it
 * takes over goes out even if the old leader sent it just before dying, which needs relay.alerts.group-window longer
 * than relay.cluster.session-timeout (defaults 2 s and 4 s), since no leader is elected sooner.
 */
public final class AlertDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(AlertDelivery.class);

    private final AlertsConfig config;
    private final DeliveredAlerts registry;
    private final AlertOutbox outbox;
    private final Supplier<Instant> clock;

    public AlertDelivery(AlertsConfig config, DeliveredAlerts registry, AlertOutbox outbox, Supplier<Instant> clock) {
        this.config = config;
        this.registry = registry;
        this.outbox = outbox;
        this.clock = clock;
    }

    /**
     * The leader's channel accepted the message: each alert it carried is recorded as delivered on that channel.
     * Not for the alerts a relay sends itself (coordination-lost/-restored: ZooKeeper may be gone, and every relay
     * sends its own). A failure is logged; the message was delivered all the same, so it is not retried.
     */
    public void recordDelivered(OutboxEntry entry) {
        if (entry.deliveredByRaiser()) {
            return;
        }
        Instant now = clock.get();
        for (Alert alert : entry.alerts()) {
            try {
                registry.record(entry.channel(), alert.id(), now);
            } catch (Exception e) {
                LOG.warn("alert {} delivered to {} but not recorded in the cluster ({}): a new leader may send it again",
                        alert.id(), entry.channel(), e.toString());
            }
        }
    }

    /** The leader, at each outbox scan: registry entries older than relay.alerts.repeat-after are removed. */
    public void pruneRegistry() {
        Instant now = clock.get();
        for (Channel channel : config.channels()) {
            try {
                for (String id : expired(registry.delivered(channel.name()), now, config.repeatAfter())) {
                    registry.forget(channel.name(), id);
                }
            } catch (Exception e) {
                LOG.debug("delivered registry of {} not pruned: {}", channel.name(), e.toString());
            }
        }
    }

    /**
     * Every relay, at each outbox scan (and a new leader before sending what it holds): removes from the outbox the
     * alerts the leader delivered on their channel, one log line each; a relay that does not write ({@code writer}
     * false) also those older than relay.alerts.repeat-after. The registry is read only for channels with messages
     * waiting; when it cannot be read nothing is dropped for delivery.
     */
    public void dropDelivered(boolean writer) {
        Instant now = clock.get();
        for (Channel channel : config.channels()) {
            AtomicReference<Map<String, Instant>> delivered = new AtomicReference<>();
            outbox.drop(channel.name(), entry -> {
                Map<String, Instant> known = delivered.updateAndGet(read -> read != null ? read : read(channel.name()));
                Map<Alert, String> drop = toDrop(entry.alerts(), known, writer, now, config.repeatAfter());
                drop.forEach((alert, why) -> LOG.info("alert {} dropped from the outbox of {}: {}: {}",
                        alert.id(), channel.name(), why, alert));
                return drop.keySet();
            });
        }
    }

    private Map<String, Instant> read(String channel) {
        try {
            return registry.delivered(channel);
        } catch (Exception e) {
            LOG.debug("delivered registry of {} not readable: {}", channel, e.toString());
            return Map.of();
        }
    }

    /**
     * Which of an outbox entry's alerts leave the outbox, and why: those the registry holds as delivered on the
     * entry's channel; on a relay that does not write, also those raised longer than {@code keep} ago. Never the
     * alerts a relay sends itself.
     */
    static Map<Alert, String> toDrop(List<Alert> alerts, Map<String, Instant> delivered, boolean writer, Instant now,
                                     Duration keep) {
        Map<Alert, String> out = new LinkedHashMap<>();
        for (Alert alert : alerts) {
            if (alert.kind().deliveredByRaiser()) {
                continue;
            }
            Instant at = delivered.get(alert.id());
            if (at != null) {
                out.put(alert, "the leader delivered it at " + at);
            } else if (!writer && Instant.parse(alert.time()).isBefore(now.minus(keep))) {
                out.put(alert, "not delivered by a leader within relay.alerts.repeat-after (" + keep + ")");
            }
        }
        return out;
    }

    /** The registry entries older than {@code keep}. */
    static List<String> expired(Map<String, Instant> delivered, Instant now, Duration keep) {
        Instant limit = now.minus(keep);
        return delivered.entrySet().stream().filter(e -> e.getValue().isBefore(limit)).map(Map.Entry::getKey).sorted().toList();
    }
}
