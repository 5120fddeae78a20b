package dev.sentinelrelay;

import dev.sentinelrelay.alerts.AlertChannels;
import dev.sentinelrelay.alerts.AlertDedup;
import dev.sentinelrelay.alerts.AlertGrouping;
import dev.sentinelrelay.alerts.AlertMessages;
import dev.sentinelrelay.alerts.AlertOutbox;
import dev.sentinelrelay.alerts.AlertRetry;
import dev.sentinelrelay.alerts.Alerts;
import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.ConfigException;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.configuration.ConsulConfig;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.OperatorConfig;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayProperties;
import dev.sentinelrelay.consul.ConsulSync;
import dev.sentinelrelay.deadletter.DeadLetters;
import dev.sentinelrelay.fencing.Fences;
import dev.sentinelrelay.fencing.PromotionWatch;
import dev.sentinelrelay.haproxy.HaproxySync;
import dev.sentinelrelay.haproxy.HaproxyTask;
import dev.sentinelrelay.haproxy.RuntimeApi;
import dev.sentinelrelay.haproxy.ReplyUntilCloseDecoder;
import dev.sentinelrelay.logging.LogFormat;
import dev.sentinelrelay.logging.SecretMasking;
import dev.sentinelrelay.ops.ApiAuth;
import dev.sentinelrelay.ops.RelayApi;
import dev.sentinelrelay.ops.RelayMetrics;
import dev.sentinelrelay.ops.RelayState;
import dev.sentinelrelay.ops.SafeRouteReload;
import dev.sentinelrelay.sentinel.MasterResolver;
import dev.sentinelrelay.sentinel.SentinelEventParser;
import dev.sentinelrelay.sentinel.SentinelSubscriptions;
import io.netty.handler.codec.string.StringEncoder;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.consul.ConsulComponent;
import org.apache.camel.component.consul.ConsulConfiguration;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.serializer.StringRedisSerializer;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the relay: validates the configuration (exit code 2 and one line naming the key when it is wrong),
 * then runs Camel with the routes in {@code routes/*.yaml} and one subscriber route per sentinel, one resolver route
 * per master, one route per HAProxy endpoint and one per alert channel, instantiated from the route templates there.
 */
public final class RelayMain {

    private static final Logger LOG = LoggerFactory.getLogger(RelayMain.class);
    static final int EXIT_CONFIG = 2;
    private static final Duration CONSUL_TIMEOUT = Duration.ofSeconds(2);
    /** Events the API keeps (GET /api/events): a few failovers' worth with three sentinels. */
    private static final int EVENTS_KEPT = 500;
    /** How many masters one HAProxy endpoint brings in step at once (a slow one holds one thread, not all). */
    private static final int HAPROXY_THREADS_PER_ENDPOINT = 4;

    private RelayMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("check-config")) {
            checkConfig(args);
            return;
        }
        Path configFile = Path.of(System.getProperty("relay.config", "config/application.properties"));
        RelayConfig config;
        OperatorConfig operator;
        DeadLetters deadLetters;
        Path templates;
        try {
            RelayProperties properties = RelayProperties.load(configFile);
            config = RelayConfig.from(properties);
            operator = OperatorConfig.read(properties);
            maskSecrets(config, operator);
            deadLetters = deadLetters(config);
            templates = AlertChannels.templates(config.alerts());
        } catch (ConfigException e) {
            System.err.println("sentinel-relay: configuration error: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        if (operator.jsonLogs()) {
            LogFormat.json();
        }
        LOG.info("configuration: sentinels {} (majority {}), masters {}, haproxy {}, reconcile every {}, auth sentinel {} redis {}",
                config.sentinels(), config.sentinelMajority(), config.masters(), config.haproxyEndpoints(),
                config.reconcileInterval(), config.sentinelCredentials(), config.redisCredentials());
        config.haproxyTargets().forEach((master, target) -> LOG.info("haproxy for {}: {}", master, target));
        LOG.info("consul: {}", config.consulEnabled() ? config.consul() : "off (relay.consul.url not set)");
        LOG.info("health: http://{}:{}/health/live and /health/ready", config.apiHost(), config.apiPort());
        LOG.info("api: http://{}:{}/api/..., metrics /metrics ({})", config.apiHost(), config.apiPort(), operator);
        LOG.info("dead letters: {}", deadLetters.file().toAbsolutePath());
        LOG.info("alerts: {}", config.alerts().enabled() ? config.alerts().channels() + ", templates " + templates
                : "off (relay.alerts.channels not set)");
        run(config, operator, configFile, deadLetters, templates, args);
    }

    /**
     * {@code check-config [DIR]}: validates {@code DIR/application.properties} (default: the one the relay would run
     * on), with -D and environment overrides applied as at start-up, and exits 0, or 2 with the one line naming the
     * key. Connects nowhere and creates nothing.
     */
    private static void checkConfig(String[] args) {
        Path file = args.length > 1 ? Path.of(args[1], "application.properties")
                : Path.of(System.getProperty("relay.config", "config/application.properties"));
        try {
            RelayProperties properties = RelayProperties.load(file);
            RelayConfig config = RelayConfig.from(properties);
            OperatorConfig.read(properties);
            AlertChannels.templates(config.alerts());
            System.out.println("sentinel-relay: configuration ok: " + file + " (masters " + config.masters() + ", "
                    + config.sentinels().size() + " sentinels, " + config.haproxyEndpoints().size() + " haproxy endpoints"
                    + (config.consulEnabled() ? ", consul" : "") + ", alert channels " + config.alerts().channels().size() + ")");
        } catch (ConfigException e) {
            System.err.println("sentinel-relay: configuration error: " + e.getMessage());
            System.exit(EXIT_CONFIG);
        }
    }

    /** Before anything is logged: no configured secret may reach a log line. */
    private static void maskSecrets(RelayConfig config, OperatorConfig operator) {
        SecretMasking.secret(operator.apiToken());
        SecretMasking.secret(config.sentinelCredentials().password());
        SecretMasking.secret(config.redisCredentials().password());
        if (config.consulEnabled()) {
            SecretMasking.secret(config.consul().token());
        }
        AlertChannels.maskSecrets(config.alerts());
    }

    private static DeadLetters deadLetters(RelayConfig config) {
        try {
            return new DeadLetters(Path.of(config.dataDir()));
        } catch (UncheckedIOException | InvalidPathException e) {
            throw new ConfigException("relay.data.dir", "cannot write there: " + e.getMessage());
        }
    }

    private static void run(RelayConfig config, OperatorConfig operator, Path configFile, DeadLetters deadLetters,
                            Path templates, String[] args) throws Exception {
        Main main = new Main();
        // the configuration file comes last so an operator can override any of the Camel defaults
        main.setPropertyPlaceholderLocations("classpath:camel-defaults.properties,file:" + configFile);
        main.addInitialProperty("camel.server.host", config.apiHost());
        main.addInitialProperty("camel.server.port", String.valueOf(config.apiPort()));
        main.addInitialProperty("relay.reconcile.period-ms", String.valueOf(config.reconcileInterval().toMillis()));
        main.addInitialProperty("relay.consul.enabled", String.valueOf(config.consulEnabled()));
        main.addInitialProperty("relay.alerts.group-window-ms", String.valueOf(config.alerts().groupWindow().toMillis()));

        RelayHealth health = new RelayHealth(config.masters(), config.sentinelMajority());
        RelayMetrics metrics = new RelayMetrics(config.masters(), deadLetters::size, health::secondsSinceReconciled);
        RelayState state = new RelayState(sentinelsById(config), EVENTS_KEPT, metrics);
        MasterResolver resolver = new MasterResolver(config, health, state::verdict);
        ReconcileRequests reconcile = new ReconcileRequests();
        AtomicReference<ProducerTemplate> producer = new AtomicReference<>();
        SentinelSubscriptions subscriptions = new SentinelSubscriptions(config, (id, again) -> {
            state.subscribed(id, again);
            if (again) {
                reconcile.requestAll(id);
            }
        });
        // a watch per master at a time, on the master's own thread from Camel's pools (shut down with Camel)
        Fences fences = new Fences(config, resolver, new PromotionWatch(resolver, config.fenceTimeout(), reconcile::resolve,
                master -> main.getCamelContext().getExecutorServiceManager()
                        .newSingleThreadExecutor(PromotionWatch.class, "promotion-watch-" + master)));

        main.bind("relayHealth", health);
        main.bind("eventParser", new SentinelEventParser(new HashSet<>(config.masters())));
        main.bind("fences", fences);
        HaproxySync haproxySync = new HaproxySync(config, health, deadLetters);
        NewestWins haproxyLatest = haproxy(main, config, producer);
        main.bind("warmUp", new WarmUp(config.masters(), config.warmUpRounds(), haproxyLatest, health));
        ConsulSync consulSync = new ConsulSync(config.consul(), deadLetters);
        consul(main, config, consulSync, metrics);
        Alerts alerts = alerts(main, config, deadLetters, producer);
        fences.observe(alerts);
        health.observe(alerts);
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
        haproxySync.observe(alerts);
        consulSync.observe(alerts);
        main.bind("haproxySync", haproxySync);
        main.bind("haproxyRetried", (Processor) exchange -> metrics.destinationRetried(
                exchange.getProperty("task", HaproxyTask.class).endpoint().id()));
        main.bind("relayState", state);
        main.bind("relayMetrics", metrics);
        main.bind("apiAuth", new ApiAuth(operator.apiToken()));
        main.bind("relayApi", new RelayApi(config, operator, state, health, new RelayApi.Holdings() {
            @Override
            public String haproxy(HaproxyEndpoint endpoint, String master) {
                return haproxySync.holding(endpoint, master);
            }

            @Override
            public String consul(String master) {
                return consulSync.holding(master);
            }
        }, resolver::replicas));
        main.bind("stringSerializer", new StringRedisSerializer(StandardCharsets.UTF_8));
        subscriptions.containers().forEach((id, container) -> main.bind(SentinelSubscriptions.containerBeanName(id), container));

        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport support) {
                CamelContext context = support.getCamelContext();
                instantiateTemplates(context, config, templates);
                if (operator.routesReload()) {
                    addRouteReload(context, support.configure().getRoutesIncludePattern());
                }
                reconcile.connect(context.createProducerTemplate());
                producer.set(context.createProducerTemplate());
            }

            @Override
            public void afterStop(BaseMainSupport support) {
                subscriptions.close();
                resolver.close();
            }
        });
        main.run(args);
    }

    /**
     * The HAProxy branch's beans (routes/40-haproxy.yaml); returns the endpoints' queue. The runtime API's round
     * trip requests the endpoint's camel-netty URI (an endpoint, not a route).
     */
    private static NewestWins haproxy(Main main, RelayConfig config, AtomicReference<ProducerTemplate> producer) {
        long timeout = config.haproxyTimeout().toMillis();
        main.bind("haproxyRuntimeApi", new RuntimeApi((endpoint, line) -> {
            try {
                return producer.get().requestBody(endpoint.nettyUri(timeout), line, String.class);
            } catch (CamelExecutionException e) {
                // the netty failure itself ("Cannot connect to ...") is what an operator needs in the log
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new IllegalStateException(cause.getMessage(), cause);
            }
        }));
        NewestWins latest = new NewestWins();
        main.bind("haproxyLatest", latest);
        main.bind("haproxyCommandEncoder", new StringEncoder(StandardCharsets.UTF_8));
        main.bind("haproxyReplyDecoder", new ReplyUntilCloseDecoder.Factory());
        return latest;
    }

    /**
     * The Consul branch's beans. The component carries the URL and the ACL token, so no endpoint URI (which Camel
     * may log) ever holds the token. With Consul off, the consul route drops every routing before its queue.
     */
    private static void consul(Main main, RelayConfig config, ConsulSync sync, RelayMetrics metrics) {
        main.bind("consulLatest", new NewestWins());
        ConsulConfig consul = config.consul();
        // bound even with Consul off: the consul routes refer to it (and never call it then)
        main.bind("consulSync", sync);
        main.bind("consulRetryLog", (Processor) exchange -> {
            metrics.destinationRetried(ConsulSync.DESTINATION);
            sync.retrying(exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class),
                    exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        });
        if (consul == null) {
            return;
        }
        ConsulComponent component = new ConsulComponent();
        ConsulConfiguration settings = component.getConfiguration();
        settings.setUrl(consul.url());
        settings.setAclToken(consul.token());
        settings.setDatacenter(consul.datacenter());
        // bounded, so a Consul that accepts connections and never answers still ends in retries and a dead letter
        settings.setConnectTimeout(CONSUL_TIMEOUT);
        settings.setReadTimeout(CONSUL_TIMEOUT);
        settings.setWriteTimeout(CONSUL_TIMEOUT);
        main.bind("consul", component);
    }

    /** Watches the directory the routes are loaded from ({@code file:<dir>/<glob>}, as in camel-defaults.properties). */
    private static void addRouteReload(CamelContext context, String includePattern) {
        Matcher m = Pattern.compile("file:(.+)/([^/]+)").matcher(includePattern);
        if (!m.matches()) {
            LOG.error("route hot-reload off: camel.main.routes-include-pattern '{}' is not file:<dir>/<glob>", includePattern);
            return;
        }
        try {
            context.addService(new SafeRouteReload(Path.of(m.group(1)), m.group(2)), true, true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start route hot-reload: " + e.getMessage(), e);
        }
    }

    /** Every configured sentinel by the id its routes and events carry. */
    private static Map<String, HostPort> sentinelsById(RelayConfig config) {
        Map<String, HostPort> out = new LinkedHashMap<>();
        for (int i = 0; i < config.sentinels().size(); i++) {
            out.put(SentinelSubscriptions.sentinelId(i), config.sentinels().get(i));
        }
        return out;
    }

    /**
     * The alert branch's beans. Alerts are queued on seda:alerts and never waited for; with no channel configured
     * they are only logged.
     */
    private static Alerts alerts(Main main, RelayConfig config, DeadLetters deadLetters,
                                 AtomicReference<ProducerTemplate> producer) {
        AlertsConfig settings = config.alerts();
        List<String> destinations = new ArrayList<>(config.haproxyEndpoints().stream().map(HaproxyEndpoint::id).toList());
        if (config.consulEnabled()) {
            destinations.add(ConsulSync.DESTINATION);
        }
        Alerts alerts = new Alerts(destinations, config.sentinels().size(), alert -> {
            try {
                producer.get().sendBody("seda:alerts", alert);
            } catch (RuntimeException e) {
                LOG.error("alert not queued ({}): {}", e.getMessage(), alert);
            }
        });
        main.bind("alerts", alerts);
        main.bind("alertDedup", new AlertDedup(settings.repeatAfter()));
        main.bind("alertGrouping", new AlertGrouping());
        main.bind("alertOutbox", new AlertOutbox(settings, deadLetters.file().getParent(), deadLetters));
        main.bind("alertMessages", new AlertMessages(settings));
        main.bind("alertRetry", new AlertRetry(settings));
        long timeout = settings.timeout().toMillis();
        main.addInitialProperty("camel.component.http.connect-timeout", String.valueOf(timeout));
        main.addInitialProperty("camel.component.http.response-timeout", String.valueOf(timeout));
        main.addInitialProperty("camel.component.http.so-timeout", String.valueOf(timeout));
        for (AlertsConfig.Channel channel : settings.channels()) {
            if (!channel.type().http()) {
                main.bind(AlertChannels.mailPropertiesBean(channel), AlertChannels.mailProperties(channel, timeout));
            }
        }
        return alerts;
    }

    private static void instantiateTemplates(CamelContext context, RelayConfig config, Path templates) {
        for (int i = 0; i < config.sentinels().size(); i++) {
            String id = SentinelSubscriptions.sentinelId(i);
            TemplatedRouteBuilder.builder(context, "sentinel-subscriber")
                    .routeId(id)
                    .parameter("sentinel", id)
                    .parameter("host", config.sentinels().get(i).host())
                    .parameter("port", String.valueOf(config.sentinels().get(i).port()))
                    .parameter("listener", SentinelSubscriptions.containerBeanName(id))
                    .add();
        }
        for (String master : config.masters()) {
            TemplatedRouteBuilder.builder(context, "master-resolver")
                    .routeId("resolve-" + master)
                    .parameter("master", master)
                    .add();
        }
        for (HaproxyEndpoint endpoint : config.haproxyEndpoints()) {
            TemplatedRouteBuilder.builder(context, "haproxy-endpoint")
                    .routeId(endpoint.id())
                    .parameter("endpoint", endpoint.id())
                    .parameter("threads", String.valueOf(HAPROXY_THREADS_PER_ENDPOINT))
                    .add();
        }
        for (AlertsConfig.Channel channel : config.alerts().channels()) {
            TemplatedRouteBuilder.builder(context, "alert-channel")
                    .routeId("alert-" + channel.name())
                    .parameter("channel", channel.name())
                    .parameter("template", AlertChannels.templateUri(templates, channel))
                    .parameter("send", AlertChannels.sendUri(channel))
                    .parameter("retry-delay-ms", String.valueOf(channel.retryDelay().toMillis()))
                    .parameter("max-retry-delay-ms", String.valueOf(channel.maxRetryDelay().toMillis()))
                    .add();
        }
    }
}
