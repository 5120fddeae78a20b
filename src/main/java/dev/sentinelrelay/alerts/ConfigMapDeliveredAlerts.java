package dev.sentinelrelay.alerts;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The delivered registry of relays elected on a Kubernetes Lease: one ConfigMap next to the Lease, a key
 * {@code <channel>.<alert id>} per delivery holding its time (ISO-8601); channel names and alert ids hold no '.'.
 * Every change is an update on the version just read (409 when another relay changed it since: read again and
 * retry). Each call is one request or a few, and fails at once when the API server does not answer.
 */
public final class ConfigMapDeliveredAlerts implements DeliveredAlerts {

    private static final int ATTEMPTS = 3;
    private static final int CONFLICT = 409;

    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public ConfigMapDeliveredAlerts(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    @Override
    public void record(String channel, String id, Instant at) {
        change(data -> !at.toString().equals(data.put(key(channel, id), at.toString())));
    }

    @Override
    public Map<String, Instant> delivered(String channel) {
        ConfigMap map = client.configMaps().inNamespace(namespace).withName(name).get();
        Map<String, Instant> out = new HashMap<>();
        if (map == null || map.getData() == null) {
            return out;
        }
        String prefix = channel + ".";
        map.getData().forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                try {
                    out.put(key.substring(prefix.length()), Instant.parse(value));
                } catch (DateTimeParseException unreadable) {
                    out.put(key.substring(prefix.length()), Instant.EPOCH); // not a relay's: the leader prunes it
                }
            }
        });
        return out;
    }

    @Override
    public void forget(String channel, String id) {
        change(data -> data.remove(key(channel, id)) != null);
    }

    private static String key(String channel, String id) {
        return channel + "." + id;
    }

    /** Applies {@code edit} (true: it changed the data) to the ConfigMap as read now, created when missing. */
    private void change(Predicate<Map<String, String>> edit) {
        for (int attempt = 1; ; attempt++) {
            ConfigMap current = client.configMaps().inNamespace(namespace).withName(name).get();
            Map<String, String> data = new TreeMap<>(current == null || current.getData() == null ? Map.of() : current.getData());
            if (!edit.test(data)) {
                return;
            }
            try {
                if (current == null) {
                    client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                            .withName(name).withNamespace(namespace)
                            .withLabels(Map.of("app.kubernetes.io/managed-by", "sentinel-relay")).endMetadata()
                            .withData(data).build()).create();
                } else {
                    client.configMaps().inNamespace(namespace)
                            .resource(new ConfigMapBuilder(current).withData(data).build()).update();
                }
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != CONFLICT || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
