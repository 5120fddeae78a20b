package dev.sentinelrelay;

import dev.sentinelrelay.resolve.RelayHealth;
import dev.sentinelrelay.resolve.RelayObserver;
import dev.sentinelrelay.ops.WarmUp;
import dev.sentinelrelay.destinations.NewestWins;
import dev.sentinelrelay.alerts.AlertDedup;
import dev.sentinelrelay.alerts.AlertDelivery;
import dev.sentinelrelay.alerts.AlertMessages;
import dev.sentinelrelay.alerts.AlertOutbox;
import dev.sentinelrelay.alerts.AlertRetry;
import dev.sentinelrelay.alerts.AlertChannels;
import dev.sentinelrelay.alerts.Alerts;
import dev.sentinelrelay.alerts.DeliveredAlerts;
import dev.sentinelrelay.alerts.ZooKeeperDeliveredAlerts;
import dev.sentinelrelay.cluster.Leadership;
import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.ClusterConfig;
import dev.sentinelrelay.configuration.ConsulConfig;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.OperatorConfig;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.destinations.consul.ConsulSync;
import dev.sentinelrelay.deadletter.DeadLetters;
import dev.sentinelrelay.fencing.Fences;
import dev.sentinelrelay.fencing.PromotionWatch;
import dev.sentinelrelay.destinations.haproxy.HaproxySync;
import dev.sentinelrelay.destinations.haproxy.HaproxyTask;
import dev.sentinelrelay.destinations.haproxy.InteractiveSession;
import dev.sentinelrelay.destinations.haproxy.RuntimeApi;
import dev.sentinelrelay.ops.ApiAuth;
import dev.sentinelrelay.ops.HealthAnswer;
import dev.sentinelrelay.ops.RelayApi;
import dev.sentinelrelay.ops.RelayCheck;
import dev.sentinelrelay.ops.RelayMetrics;
import dev.sentinelrelay.ops.RelayState;
import dev.sentinelrelay.ops.SentinelDirectory;
import dev.sentinelrelay.destinations.readpool.ReadPools;
import dev.sentinelrelay.resolve.MasterLanes;
import dev.sentinelrelay.sentinel.DiscoveryCheck;
import dev.sentinelrelay.sentinel.FollowedSentinels;
import dev.sentinelrelay.resolve.MasterResolver;
import dev.sentinelrelay.sentinel.RedisConnections;
import dev.sentinelrelay.sentinel.SentinelDiscovery;
import dev.sentinelrelay.sentinel.SentinelQuorum;
import dev.sentinelrelay.sentinel.SentinelEventParser;
import dev.sentinelrelay.sentinel.SentinelSubscriptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.string.StringEncoder;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.consul.ConsulComponent;
import org.apache.camel.component.consul.ConsulConfiguration;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.zookeepermaster.MasterComponent;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.serializer.StringRedisSerializer;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the relay's beans and binds them in Camel's registry under the names the routes call ({@code ref: ...}).
 * Runs once the CamelContext exists and before the routes are created, so every thread pool comes from Camel's
 * ExecutorServiceManager (named after its job, shut down with the context).
 */
final class RelayBeans implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RelayBeans.class);
    private static final Duration CONSUL_TIMEOUT = Duration.ofSeconds(2);
    /** Events the API keeps (GET /api/events): a few failovers' worth with three sentinels. */
    private static final int EVENTS_KEPT = 500;
    /** ZooKeeper operations (the election's) retry from 250 ms up to the session timeout apart. */
    private static final int CURATOR_RETRY_MS = 250;
    /** The route of routes/05-leadership.yaml whose zookeeper-master endpoint takes part in the election. */
    private static final String LEADERSHIP_ROUTE = "leadership";
    private static final int CURATOR_RETRIES = 20;

    private final RelayConfig config;
    private final DeadLetters deadLetters;
    private final Registry registry;
    private final ExecutorServiceManager threads;
    private final ProducerTemplate producer;
    private final RelayHealth health;
    private final RelayMetrics metrics;
    private final RelayState state;
    private final MasterResolver resolver;
    private final SentinelSubscriptions subscriptions;
    private final Leadership leadership;
    private final CuratorFramework curator;
    private final FollowedSentinels followed;
    /** The discovery check's own connections to the sentinels (routes/15-sentinel-discovery.yaml). */
    private final RedisConnections discoveryConnections;

    RelayBeans(CamelContext context, RelayConfig config, OperatorConfig operator, DeadLetters deadLetters) {
        this.config = config;
        this.deadLetters = deadLetters;
        this.registry = context.getRegistry();
        this.threads = context.getExecutorServiceManager();
        this.producer = context.createProducerTemplate();
        followed = new FollowedSentinels(config.sentinels(), Instant.now());
        health = new RelayHealth(config.masters(), followed::majority);
        // Camel's metrics (camel.metrics.*) adopt the registry bound under this name; bound before camel-main sets them
        // up, after this constructor, because the relay's gauges are declared here
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        metrics = new RelayMetrics(meters, config.masters(), deadLetters::size, health::secondsSinceReconciled);
        state = new RelayState(sentinelsById(config), EVENTS_KEPT, metrics);
        resolver = new MasterResolver(config, followed::addresses, health, state::verdict,
                threads.newCachedThreadPool(this, "verify"));
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

        curator = config.elects() ? curator(context, config.cluster()) : null;
        leadership = new Leadership(config.cluster(), config.observe(), curator, System::nanoTime);
        leadership.rejoinWith(() -> {
            try {
                context.getRouteController().stopRoute(LEADERSHIP_ROUTE);
                context.getRouteController().startRoute(LEADERSHIP_ROUTE);
            } catch (Exception e) {
                LOG.error("cannot restart the {} route: {}", LEADERSHIP_ROUTE, e.toString());
            }
        });
        registry.bind("leadership", leadership);
        metrics.leadership(leadership::leaderGauge, leadership::changes);

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

        HaproxySync haproxySync = haproxy();
        ReadPools readPools = readPools();
        ConsulSync consulSync = consul();
        Alerts alerts = alerts();
        discovery(context);
        leadership.observe(alerts);
        fences.observe(alerts);
        health.observe(alerts);
        haproxySync.observe(alerts);
        consulSync.observe(alerts);
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
        }, resolver::replicas, readPools::view, leadership::view));
    }

    /** routes/42-read-pool.yaml: the read backends' planner, with a size gauge per master and HAProxy. */
    private ReadPools readPools() {
        ReadPools readPools = new ReadPools(config, resolver, state.ledger()::current);
        registry.bind("readPools", readPools);
        registry.bind("readPoolLatest", new NewestWins());
        for (String master : config.readPools().keySet()) {
            for (HaproxyEndpoint endpoint : config.haproxyEndpoints()) {
                metrics.readPoolSize(master, endpoint.id(), () -> readPools.size(master, endpoint));
            }
        }
        return readPools;
    }

    /**
     * Cluster mode: one ZooKeeper client (bean {@code curator}) for the election of routes/05-leadership.yaml
     * (camel-zookeeper-master, under {@link Leadership#electionRoot}) and for Leadership's own checks, with the
     * configured session timeout (camel-zookeeper-master has no such option). Connects in the background: a relay
     * that starts while ZooKeeper is down follows the sentinels and writes nothing until it is back.
     */
    private static CuratorFramework curator(CamelContext context, ClusterConfig cluster) {
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

    /**
     * The HAProxy branch's beans (routes/40-haproxy.yaml, 41-haproxy-endpoint.yaml) and the warm-up's, which waits
     * for the endpoints' queue. The runtime API's round trip requests the endpoint's camel-netty URI (an endpoint,
     * not a route).
     */
    private HaproxySync haproxy() {
        long timeout = config.haproxyTimeout().toMillis();
        registry.bind("haproxyRuntimeApi", new RuntimeApi((endpoint, line) -> {
            try {
                return producer.requestBody(endpoint.nettyUri(timeout), line, String.class);
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
        registry.bind("warmUp", new WarmUp(config.masters(), config.warmUpRounds(), latest, health));
        HaproxySync sync = new HaproxySync(config, health, deadLetters, leadership::mayWrite);
        registry.bind("haproxySync", sync);
        registry.bind("haproxyRetried", (Processor) exchange -> metrics.destinationRetried(
                exchange.getProperty("task", HaproxyTask.class).endpoint().id()));
        return sync;
    }

    /**
     * The Consul branch's beans (routes/45-consul.yaml). The component carries the URL and the ACL token, so no
     * endpoint URI (which Camel may log) ever holds the token. With Consul off, the consul route drops every
     * routing before its queue; the beans are bound all the same, since the routes name them.
     */
    private ConsulSync consul() {
        ConsulConfig consul = config.consul();
        ConsulSync sync = new ConsulSync(consul, deadLetters);
        registry.bind("consulLatest", new NewestWins());
        registry.bind("consulSync", sync);
        registry.bind("consulRetryLog", (Processor) exchange -> {
            metrics.destinationRetried(ConsulSync.DESTINATION);
            sync.retrying(exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class),
                    exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        });
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

    /** Camel's TLS settings holding a context built from PEM files (Camel's own read key stores only). */
    private static SSLContextParameters fixed(SSLContext context) {
        return new SSLContextParameters() {
            @Override
            public SSLContext createSSLContext(CamelContext camelContext) {
                return context;
            }
        };
    }

    /**
     * The alert branch's beans (routes/70-alerts.yaml). Alerts are queued on seda:alerts and never waited for; with
     * no channel configured they are only logged. The dead-letter store raises an alert for every dead letter. In a
     * cluster the leader records what it delivered in ZooKeeper (alertDelivery), next to the election.
     */
    private Alerts alerts() {
        AlertsConfig settings = config.alerts();
        List<String> destinations = new ArrayList<>(config.haproxyEndpoints().stream().map(HaproxyEndpoint::id).toList());
        if (config.consulEnabled()) {
            destinations.add(ConsulSync.DESTINATION);
        }
        Alerts alerts = new Alerts(destinations, () -> followed.all().size(), alert -> {
            try {
                producer.sendBody("seda:alerts", alert);
            } catch (RuntimeException e) {
                LOG.error("alert not queued ({}): {}", e.getMessage(), alert);
            }
        }, Alerts.FAILOVER_REPORT_DEADLINE);
        registry.bind("alerts", alerts);
        registry.bind("alertDedup", new AlertDedup(settings.repeatAfter()));
        AlertOutbox outbox = new AlertOutbox(settings, deadLetters.file().getParent(), deadLetters);
        registry.bind("alertOutbox", outbox);
        // in a cluster the leader records what it delivered, per channel, in ZooKeeper; alone nobody needs to know
        DeliveredAlerts delivered = curator == null ? DeliveredAlerts.NONE
                : new ZooKeeperDeliveredAlerts(curator, Leadership.electionRoot(config.cluster()) + "/alerts");
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
        deadLetters.observe(new RelayObserver() {
            @Override
            public void deadLettered(String destination, Map<String, String> details) {
                alerts.deadLettered(destination, details);
                if (destination.startsWith(AlertOutbox.DESTINATION_PREFIX)) {
                    metrics.destinationFailed(destination);
                }
            }
        });
        return alerts;
    }

    /**
     * The discovery branch's beans (routes/15-sentinel-discovery.yaml): the check, which asks every followed sentinel
     * on its own connections and pool, and what applies its changes. Bound with discovery off too (the route names
     * them and does not start).
     */
    private void discovery(CamelContext context) {
        SentinelDirectory directory = state.directory();
        SentinelQuorum everyFollowed = new SentinelQuorum(followed::addresses, config.verifyTimeout().multipliedBy(4),
                threads.newCachedThreadPool(this, "discovery"));
        registry.bind("sentinelDiscovery", new DiscoveryCheck(config.masters(), followed,
                new SentinelDiscovery(config.discovery().forgetAfter()), discoveryConnections, everyFollowed, Instant::now,
                new DiscoveryCheck.Observer() {
                    @Override
                    public void answered(FollowedSentinels.Sentinel sentinel, String error) {
                        directory.discoveryAnswer(sentinel.address(), error);
                    }

                    @Override
                    public void decided(SentinelDiscovery.Decision decision) {
                        directory.discovery(decision, Instant.now());
                    }
                }));
        registry.bind("sentinelFollowing", new SentinelFollowing(context, followed, subscriptions, directory, Instant::now));
    }

    /** Every configured sentinel by the id its routes and events carry. */
    private static Map<String, HostPort> sentinelsById(RelayConfig config) {
        Map<String, HostPort> out = new LinkedHashMap<>();
        for (int i = 0; i < config.sentinels().size(); i++) {
            out.put(SentinelSubscriptions.sentinelId(i), config.sentinels().get(i));
        }
        return out;
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
    }
}
