package dev.sentinelrelay.configuration;

import dev.sentinelrelay.tls.PemTls;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where the relay keeps one selector-less Service per master, whose EndpointSlice holds the verified master. Optional:
 * without {@code relay.kubernetes.enabled = true} there is no Kubernetes branch ({@link #read} returns null). What is
 * not set comes from the client's own configuration: in a pod its service account (API server, token, CA, namespace),
 * elsewhere the kubeconfig.
 *
 * @param url         the API server; null for the client's own configuration
 * @param namespace   where the Services are; null for the client's own (in a pod: the pod's namespace)
 * @param token       bearer token; null for the client's own. Never printed: {@link #toString()} masks it
 * @param caFile      PEM file of the API server's CA; null for the client's own
 * @param servicePort the port every master's Service listens on
 * @param services    master -> its Service's name
 */
public record KubernetesConfig(String url, String namespace, String token, String caFile, int servicePort,
                               Map<String, String> services) {

    /** Service names are DNS-1035 labels: lower case, starting with a letter. */
    static final Pattern SERVICE_NAME = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
    /** Namespaces are DNS-1123 labels. */
    static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final List<String> SETTINGS = List.of("url", "namespace", "token", "ca-file", "service-port");

    /** The Kubernetes settings, or null when {@code relay.kubernetes.enabled} is not true. */
    static KubernetesConfig read(ConfigReader r, List<String> masters) {
        if (!r.bool("relay.kubernetes.enabled", false)) {
            for (String key : SETTINGS) {
                refuseWhileOff(r, "relay.kubernetes." + key);
            }
            for (String master : masters) {
                refuseWhileOff(r, "relay.kubernetes." + master + ".service");
            }
            return null;
        }
        String url = r.optional("relay.kubernetes.url", null);
        if (url != null) {
            ConfigReader.httpUrl("relay.kubernetes.url", url, "an https:// (or http://) URL like https://10.96.0.1:443");
        }
        String namespace = r.optional("relay.kubernetes.namespace", null);
        if (namespace != null && !NAMESPACE.matcher(namespace).matches()) {
            throw new ConfigException("relay.kubernetes.namespace", "'" + namespace
                    + "' is not a namespace name: lower-case letters, digits and '-', at most 63");
        }
        String token = r.optional("relay.kubernetes.token", null);
        if (token != null && !ConsulConfig.TOKEN.matcher(token).matches()) {
            throw new ConfigException("relay.kubernetes.token", "must be printable characters without spaces");
        }
        String caFile = r.optional("relay.kubernetes.ca-file", null);
        if (caFile != null) {
            checkCa(caFile);
        }
        int port = r.convert("relay.kubernetes.service-port", r.optional("relay.kubernetes.service-port", "6379"),
                HostPort::parsePort);
        Map<String, String> services = new LinkedHashMap<>();
        // service name -> the master that has it: one Service cannot follow two masters
        Map<String, String> owners = new LinkedHashMap<>();
        for (String master : masters) {
            String key = "relay.kubernetes." + master + ".service";
            String set = r.optional(key, null);
            String service = set == null ? serviceName(master) : set;
            if (!SERVICE_NAME.matcher(service).matches()) {
                throw new ConfigException(key, "'" + service + "' is not a Service name: lower-case letters, digits"
                        + " and '-', starting with a letter, at most 63");
            }
            String owner = owners.putIfAbsent(service, master);
            if (owner != null) {
                throw new ConfigException(key, (set == null ? "derived name '" : "'") + service
                        + "' is the Service of master '" + owner + "' too; set a name of its own");
            }
            services.put(master, service);
        }
        return new KubernetesConfig(url, namespace, token, caFile, port, Map.copyOf(services));
    }

    /**
     * The default Service of a master: Consul's default service name lower-cased, so {@code redis-<master>} with every
     * character outside letters, digits and '-' turned into '-', at most 63 ({@code Cache_EU.1} ->
     * {@code redis-cache-eu-1}).
     */
    static String serviceName(String master) {
        return ConsulConfig.derivedName(master).toLowerCase(Locale.ROOT);
    }

    private static void refuseWhileOff(ConfigReader r, String key) {
        if (r.optional(key, null) != null) {
            throw new ConfigException(key, "is set but relay.kubernetes.enabled is not true");
        }
    }

    private static void checkCa(String caFile) {
        try {
            PemTls.certificates(Path.of(caFile));
        } catch (RuntimeException e) {
            throw new ConfigException("relay.kubernetes.ca-file", "cannot read a PEM certificate from '" + caFile
                    + "': " + e.getMessage());
        }
    }

    /** The token, masked like the other secrets. */
    public String maskedToken() {
        return token == null ? "the client's own" : "******";
    }

    @Override
    public String toString() {
        return (url == null ? "the client's API server" : url) + ", namespace "
                + (namespace == null ? "the client's own" : namespace) + ", token " + maskedToken()
                + (caFile == null ? "" : ", CA " + caFile) + ", port " + servicePort + ", services " + services;
    }
}
