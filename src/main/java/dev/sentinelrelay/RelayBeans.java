package dev.sentinelrelay;

import dev.sentinelrelay.resolve.RelayHealth;
import dev.sentinelrelay.cluster.Leadership;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.configuration.OperatorConfig;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.destinations.consul.ConsulSync;
import dev.sentinelrelay.destinations.kubernetes.KubernetesSync;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.sentinelrelay.deadletter.DeadLetters;
import dev.sentinelrelay.fencing.Fences;
import dev.sentinelrelay.fencing.PromotionWatch;
import dev.sentinelrelay.destinations.haproxy.HaproxySync;
import dev.sentinelrelay.ops.ApiAuth;
import dev.sentinelrelay.ops.HealthAnswer;
import dev.sentinelrelay.ops.RelayApi;
import dev.sentinelrelay.ops.RelayCheck;
import dev.sentinelrelay.ops.RelayMetrics;
import dev.sentinelrelay.ops.RelayState;
import dev.sentinelrelay.destinations.readpool.ReadPools;
import dev.sentinelrelay.resolve.MasterLanes;
import dev.sentinelrelay.sentinel.FollowedSentinels;
import dev.sentinelrelay.resolve.MasterResolver;
import dev.sentinelrelay.sentinel.RedisConnections;
import dev.sentinelrelay.sentinel.SentinelEventParser;
import dev.sentinelrelay.sentinel.SentinelSubscriptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.Registry;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.data.redis.serializer.StringRedisSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;

/**
 * Builds the relay's beans and binds them in Camel's registry under the names the routes call ({@code ref: ...}),
 * stage by stage (SentinelWiring, ClusterWiring, DestinationWiring, AlertWiring). Runs once the CamelContext exists
 * and before the routes are created, so every thread pool comes from Camel's ExecutorServiceManager (named after its
 * job, shut down with the context).
 */
final class RelayBeans implements AutoCloseable {

    /** Events the API keeps (GET /api/events): a few failovers' worth with three sentinels. */
    private static final int EVENTS_KEPT = 500;

    private final MasterResolver resolver;
    private final SentinelSubscriptions subscriptions;
    private final CuratorFramework curator;
    /** Null while neither the Kubernetes destination nor a Lease election is on. */
    private final KubernetesClient kubernetes;
    /** The discovery check's own connections to the sentinels (routes/15-sentinel-discovery.yaml). */
    private final RedisConnections discoveryConnections;

    RelayBeans(CamelContext context, RelayConfig config, OperatorConfig operator, DeadLetters deadLetters) {
        Registry registry = context.getRegistry();
        ExecutorServiceManager threads = context.getExecutorServiceManager();
        ProducerTemplate producer = context.createProducerTemplate();
        FollowedSentinels followed = new FollowedSentinels(config.sentinels(), Instant.now());
        RelayHealth health = new RelayHealth(config.masters(), followed::majority);
        // Camel's metrics (camel.metrics.*) adopt the registry bound under this name; bound before camel-main sets them
        // up, after this constructor, because the relay's gauges are declared here
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        RelayMetrics metrics = new RelayMetrics(meters, config.masters(), deadLetters::size, health::secondsSinceReconciled);
        RelayState state = new RelayState(SentinelWiring.sentinelsById(config), EVENTS_KEPT, metrics);
        resolver = new MasterResolver(config, followed::addresses, health, state::verdict,
                threads.newCachedThreadPool(this, "verify"));
        Wiring w = new Wiring(context, config, deadLetters, producer, followed, health, metrics, state, resolver);
        discoveryConnections = new RedisConnections("sentinel", config.sentinelCredentials(), config.tls().forSentinels(),
                config.verifyTimeout().multipliedBy(4), RedisConnections.DEFAULT_PER_SERVER, resolver.tlsFailures());
        ReconcileRequests reconcile = new ReconcileRequests(producer);
        subscriptions = new SentinelSubscriptions(config, (id, again) -> {
            state.subscribed(id, again);
            if (again) {
                reconcile.requestAll(id);
            }
        }, name -> threads.newSingleThreadExecutor(this, name), resolver.tlsFailures());
        // a watch per master at a time, on the master's own thread
        Fences fences = new Fences(config, resolver, new PromotionWatch(resolver, config.fenceTimeout(), reconcile::resolve,
                master -> threads.newSingleThreadExecutor(this, "promotion-watch-" + master)));

        kubernetes = DestinationWiring.kubernetesClient(config);
        curator = config.elects() && !config.electsOnLease() ? ClusterWiring.curator(context, config.cluster()) : null;
        Leadership leadership = config.electsOnLease() ? ClusterWiring.leadership(w, kubernetes)
                : ClusterWiring.leadership(w, curator);

        // GET /health/* (routes/60-api.yaml) answer from Camel's health-check registry: its context check and the relay's
        HealthCheckRegistry checks = HealthCheckRegistry.get(context);
        checks.register(checks.resolveById(HealthAnswer.LIVE));
        checks.register(new RelayCheck(RelayCheck.READY, true, health::ready, health::describe));
        checks.register(new RelayCheck(RelayCheck.LEADER, false, leadership::writes, leadership::describe));
        registry.bind("healthAnswer", new HealthAnswer());
        registry.bind("eventParser", new SentinelEventParser(new HashSet<>(config.masters())));
        registry.bind("fences", fences);
        registry.bind("masterLanes", new MasterLanes(System::nanoTime));
        registry.bind("relayState", state);
        registry.bind("stringSerializer", new StringRedisSerializer(StandardCharsets.UTF_8));
        subscriptions.containers().forEach((id, container) -> registry.bind(SentinelSubscriptions.containerBeanName(id), container));

        HaproxySync haproxySync = DestinationWiring.haproxy(w, leadership);
        ReadPools readPools = DestinationWiring.readPools(w);
        ConsulSync consulSync = DestinationWiring.consul(w);
        KubernetesSync kubernetesSync = DestinationWiring.kubernetes(w, config.kubernetesEnabled() ? kubernetes : null);
        AlertWiring.alerts(w, leadership, ClusterWiring.delivered(w, curator, kubernetes));
        SentinelWiring.discovery(w, subscriptions, discoveryConnections);
        registry.bind("apiAuth", new ApiAuth(operator.apiToken()));
        registry.bind("relayApi", new RelayApi(config, operator, state, health, new RelayApi.Holdings() {
            @Override
            public String haproxy(HaproxyEndpoint endpoint, String master) {
                return haproxySync.holding(endpoint, master);
            }

            @Override
            public String consul(String master) {
                return consulSync.holding(master);
            }

            @Override
            public String kubernetes(String master) {
                return kubernetesSync.holding(master);
            }
        }, resolver::replicas, readPools::view, leadership::view));
    }

    /** Before the routes stop: no more events come in. */
    void unsubscribe() {
        subscriptions.close();
    }

    /** After the routes stopped: the resolver's connections (Camel shuts the thread pools down itself). */
    @Override
    public void close() {
        resolver.close();
        discoveryConnections.close();
        if (curator != null) {
            curator.close();
        }
        if (kubernetes != null) {
            kubernetes.close();
        }
    }
}
