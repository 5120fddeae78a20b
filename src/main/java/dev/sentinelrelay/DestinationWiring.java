package dev.sentinelrelay;

import dev.sentinelrelay.cluster.Leadership;
import dev.sentinelrelay.configuration.ConsulConfig;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.configuration.KubernetesConfig;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.destinations.NewestWins;
import dev.sentinelrelay.destinations.consul.ConsulSync;
import dev.sentinelrelay.destinations.kubernetes.KubernetesApi;
import dev.sentinelrelay.destinations.kubernetes.KubernetesSync;
import dev.sentinelrelay.destinations.haproxy.HaproxySync;
import dev.sentinelrelay.destinations.haproxy.HaproxyTask;
import dev.sentinelrelay.destinations.haproxy.InteractiveSession;
import dev.sentinelrelay.destinations.haproxy.RuntimeApi;
import dev.sentinelrelay.destinations.readpool.ReadPools;
import dev.sentinelrelay.ops.WarmUp;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.netty.handler.codec.string.StringEncoder;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.consul.ConsulComponent;
import org.apache.camel.component.consul.ConsulConfiguration;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.jsse.SSLContextParameters;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiConsumer;

/** Stage 4's beans: the destinations' planners, queues and sends (routes/35-destination.yaml and 40 to 45). */
final class DestinationWiring {

    private static final Duration CONSUL_TIMEOUT = Duration.ofSeconds(2);
    /** Bounded like Consul's: an API server that accepts connections and never answers ends in retries too. */
    private static final Duration KUBERNETES_TIMEOUT = Duration.ofSeconds(2);

    private DestinationWiring() {
    }

    /**
     * The HAProxy destination's beans (routes/40-haproxy.yaml) and the warm-up's, which waits for the endpoints' queues.
     * The runtime API batches lines per HAProxy and sends each batch through the route haproxy-round-trip (Java sends
     * into a route here: a caller's line may go out in another caller's round trip).
     */
    static HaproxySync haproxy(Wiring w, Leadership leadership) {
        Registry registry = w.registry();
        registry.bind("haproxyRuntimeApi", new RuntimeApi((endpoint, line) -> {
            try {
                return w.producer().requestBodyAndHeaders("direct:haproxy-round-trip", line, Map.of(
                        "haproxyAddress", endpoint.nettyAddress(), "haproxyUnixSocket", endpoint.nettyUnixSocket()),
                        String.class);
            } catch (CamelExecutionException e) {
                // the netty failure itself ("Cannot connect to ...") is what an operator needs in the log
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                // a reply timeout (ReadTimeoutException) has no message of its own
                throw new IllegalStateException(cause.getMessage() != null ? cause.getMessage() : cause.toString(), cause);
            }
        }));
        registry.bind("haproxyCommandEncoder", new StringEncoder(StandardCharsets.UTF_8));
        registry.bind("haproxySession", new InteractiveSession.Factory());
        NewestWins latest = new NewestWins();
        registry.bind("haproxyLatest", latest);
        registry.bind("warmUp", new WarmUp(w.config().masters(), w.config().warmUpRounds(), latest, w.health()));
        HaproxySync sync = new HaproxySync(w.config(), w.health(), leadership::mayWrite);
        registry.bind("haproxySync", sync);
        registry.bind("haproxyRetried", (Processor) exchange -> w.metrics().destinationRetried(
                exchange.getProperty("task", HaproxyTask.class).endpoint().id()));
        return sync;
    }

    /** The read pool destination's beans (routes/42-read-pool.yaml), with a size gauge per master and HAProxy. */
    static ReadPools readPools(Wiring w) {
        ReadPools readPools = new ReadPools(w.config(), w.resolver(), w.state().ledger()::current);
        w.registry().bind("readPools", readPools);
        w.registry().bind("readPoolLatest", new NewestWins());
        for (String master : w.config().readPools().keySet()) {
            for (HaproxyEndpoint endpoint : w.config().haproxyEndpoints()) {
                w.metrics().readPoolSize(master, endpoint.id(), () -> readPools.size(master, endpoint));
            }
        }
        return readPools;
    }

    /**
     * The Consul destination's beans (routes/45-consul.yaml). The component carries the URL and the ACL token, so no
     * endpoint URI (which Camel may log) ever holds the token. With Consul off, its planner gives no task; the beans
     * are bound all the same, since the routes name them.
     */
    static ConsulSync consul(Wiring w) {
        Registry registry = w.registry();
        ConsulConfig consul = w.config().consul();
        ConsulSync sync = new ConsulSync(consul);
        registry.bind("consulLatest", new NewestWins());
        registry.bind("consulSync", sync);
        registry.bind("consulRetryLog", retryLog(w, ConsulSync.DESTINATION, sync::retrying));
        if (consul != null) {
            ConsulComponent component = new ConsulComponent();
            ConsulConfiguration settings = component.getConfiguration();
            settings.setUrl(consul.url());
            settings.setAclToken(consul.token());
            settings.setDatacenter(consul.datacenter());
            // bounded, so a Consul that accepts connections and never answers still ends in retries and a dead letter
            settings.setConnectTimeout(CONSUL_TIMEOUT);
            settings.setReadTimeout(CONSUL_TIMEOUT);
            settings.setWriteTimeout(CONSUL_TIMEOUT);
            if (consul.tls() != null) {
                settings.setSslContextParameters(fixed(consul.tls().context()));
            }
            registry.bind("consul", component);
        }
        return sync;
    }

    /**
     * The Kubernetes API client, or null while neither the Kubernetes destination nor a Lease election is on (one
     * client for both). It configures itself as fabric8 does (in a pod: the service account's API server, token, CA
     * and namespace; elsewhere the kubeconfig), then takes the relay.kubernetes.* keys that are set over that. The
     * client's own retries are off: the route's retries apply, and the Lease's heartbeat asks again.
     */
    static KubernetesClient kubernetesClient(RelayConfig config) {
        if (!config.kubernetesEnabled() && !config.electsOnLease()) {
            return null;
        }
        ConfigBuilder settings = new ConfigBuilder(Config.autoConfigure(null))
                .withRequestRetryBackoffLimit(0)
                .withConnectionTimeout((int) KUBERNETES_TIMEOUT.toMillis())
                .withRequestTimeout((int) KUBERNETES_TIMEOUT.toMillis());
        if (config.clustered()) {
            // the API server's audit log names the relay
            settings.withUserAgent("sentinel-relay/" + config.cluster().instance());
        }
        KubernetesConfig kubernetes = config.kubernetes();
        if (kubernetes == null) {
            return new KubernetesClientBuilder().withConfig(settings.build()).build();
        }
        if (kubernetes.url() != null) {
            settings.withMasterUrl(kubernetes.url());
        }
        if (kubernetes.namespace() != null) {
            settings.withNamespace(kubernetes.namespace());
        }
        if (kubernetes.token() != null) {
            settings.withOauthToken(kubernetes.token());
        }
        if (kubernetes.caFile() != null) {
            settings.withCaCertFile(kubernetes.caFile());
        }
        return new KubernetesClientBuilder().withConfig(settings.build()).build();
    }


    /**
     * The Kubernetes destination's beans (routes/47-kubernetes.yaml) on {@code client}. With Kubernetes off (no
     * client) its planner gives no task; the beans are bound all the same, since the routes name them.
     */
    static KubernetesSync kubernetes(Wiring w, KubernetesClient client) {
        Registry registry = w.registry();
        String namespace = client == null ? null : client.getNamespace() == null ? "default" : client.getNamespace();
        KubernetesSync sync = new KubernetesSync(w.config().kubernetes(), namespace);
        registry.bind("kubernetesLatest", new NewestWins());
        registry.bind("kubernetesSync", sync);
        registry.bind("kubernetesRetryLog", retryLog(w, KubernetesSync.DESTINATION, sync::retrying));
        // bound while off too, as the routes name it; without tasks it is never called
        registry.bind("kubernetesApi", new KubernetesApi(client));
        return sync;
    }

    /** The retry policy's onRedeliveryRef: counts the retry and lets the planner log it in one line. */
    private static Processor retryLog(Wiring w, String destination, BiConsumer<Integer, Exception> log) {
        return exchange -> {
            w.metrics().destinationRetried(destination);
            log.accept(exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class),
                    exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        };
    }

    /** Camel's TLS settings holding a context built from PEM files (Camel's own read key stores only). */
    private static SSLContextParameters fixed(SSLContext context) {
        return new SSLContextParameters() {
            @Override
            public SSLContext createSSLContext(CamelContext camelContext) {
                return context;
            }
        };
    }
}
