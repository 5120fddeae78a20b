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
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayProperties;
import dev.sentinelrelay.consul.ConsulSync;
import dev.sentinelrelay.consul.ConsulWorker;
import dev.sentinelrelay.deadletter.DeadLetters;
import dev.sentinelrelay.fencing.Fences;
import dev.sentinelrelay.fencing.PromotionWatch;
import dev.sentinelrelay.haproxy.EndpointWorkers;
import dev.sentinelrelay.haproxy.HaproxySync;
import dev.sentinelrelay.haproxy.HaproxyTask;
import dev.sentinelrelay.haproxy.RuntimeApi;
import dev.sentinelrelay.haproxy.ReplyUntilCloseDecoder;
import dev.sentinelrelay.logging.SecretMasking;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts the relay: validates the configuration (exit code 2 and one line naming the key when it is wrong),
 * then runs Camel with the routes in {@code routes/*.yaml} and one subscriber route per sentinel and one
 * resolver route per master, instantiated from the route templates there.
 */
public final class RelayMain {

    private static final Logger LOG = LoggerFactory.getLogger(RelayMain.class);
    static final int EXIT_CONFIG = 2;
    private static final Duration CONSUL_TIMEOUT = Duration.ofSeconds(2);

    private RelayMain() {
    }

    public static void main(String[] args) throws Exception {
        Path configFile = Path.of(System.getProperty("relay.config", "config/application.properties"));
        RelayConfig config;
        DeadLetters deadLetters;
        Path templates;
        try {
            config = RelayConfig.from(RelayProperties.load(configFile));
            maskSecrets(config);
            deadLetters = deadLetters(config);
            templates = AlertChannels.templates(config.alerts());
        } catch (ConfigException e) {
            System.err.println("sentinel-relay: configuration error: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        LOG.info("configuration: sentinels {} (majority {}), masters {}, haproxy {}, reconcile every {}, auth sentinel {} redis {}",
                config.sentinels(), config.sentinelMajority(), config.masters(), config.haproxyEndpoints(),
                config.reconcileInterval(), config.sentinelCredentials(), config.redisCredentials());
        config.haproxyTargets().forEach((master, target) -> LOG.info("haproxy for {}: {}", master, target));
        LOG.info("consul: {}", config.consulEnabled() ? config.consul() : "off (relay.consul.url not set)");
        LOG.info("health: http://{}:{}/health/live and /health/ready", config.apiHost(), config.apiPort());
        LOG.info("dead letters: {}", deadLetters.file().toAbsolutePath());
        LOG.info("alerts: {}", config.alerts().enabled() ? config.alerts().channels() + ", templates " + templates
                : "off (relay.alerts.channels not set)");
        run(config, configFile, deadLetters, templates, args);
    }

    /** Before anything is logged: no configured secret may reach a log line. */
    private static void maskSecrets(RelayConfig config) {
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

    private static void run(RelayConfig config, Path configFile, DeadLetters deadLetters, Path templates, String[] args)
            throws Exception {
        Main main = new Main();
        // the configuration file comes last so an operator can override any of the Camel defaults
        main.setPropertyPlaceholderLocations("classpath:camel-defaults.properties,file:" + configFile);
        main.addInitialProperty("camel.server.host", config.apiHost());
        main.addInitialProperty("camel.server.port", String.valueOf(config.apiPort()));
        main.addInitialProperty("relay.reconcile.period-ms", String.valueOf(config.reconcileInterval().toMillis()));
        main.addInitialProperty("relay.consul.enabled", String.valueOf(config.consulEnabled()));
        main.addInitialProperty("relay.alerts.group-window-ms", String.valueOf(config.alerts().groupWindow().toMillis()));

        RelayHealth health = new RelayHealth(config.masters(), config.sentinelMajority());
        MasterResolver resolver = new MasterResolver(config, health);
        ReconcileRequests reconcile = new ReconcileRequests();
        AtomicReference<ProducerTemplate> producer = new AtomicReference<>();
        long haproxyTimeout = config.haproxyTimeout().toMillis();
        RuntimeApi runtimeApi = new RuntimeApi((endpoint, line) -> {
            try {
                return producer.get().requestBody(endpoint.nettyUri(haproxyTimeout), line, String.class);
            } catch (CamelExecutionException e) {
                // the netty failure itself ("Cannot connect to ...") is what an operator needs in the log
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new IllegalStateException(cause.getMessage(), cause);
            }
        });
        SentinelSubscriptions subscriptions = new SentinelSubscriptions(config, reconcile::requestAll);
        Fences fences = new Fences(config, resolver,
                new PromotionWatch(resolver, config.fenceTimeout(), reconcile::resolve), reconcile::resolve);

        main.bind("relayHealth", health);
        main.bind("eventParser", new SentinelEventParser(new HashSet<>(config.masters())));
        main.bind("fences", fences);
        HaproxySync haproxySync = new HaproxySync(config, health, deadLetters, runtimeApi);
        EndpointWorkers endpointWorkers = new EndpointWorkers(config.haproxyEndpoints(), task -> {
            HaproxyTask needed = haproxySync.prepare(task);
            if (needed != null) {
                producer.get().sendBody("direct:haproxy-endpoint", needed);
            }
            haproxySync.settled(task.routing());
        });
        WarmUp warmUp = new WarmUp(config, endpointWorkers, health);
        ConsulSync consulSync = new ConsulSync(config.consul(), deadLetters);
        ConsulWorker consulWorker = consul(main, config, consulSync, producer);
        Alerts alerts = alerts(main, config, deadLetters, producer);
        fences.observe(alerts);
        health.observe(alerts);
        deadLetters.observe(alerts);
        haproxySync.observe(alerts);
        consulSync.observe(alerts);
        main.bind("haproxySync", haproxySync);
        main.bind("endpointWorkers", endpointWorkers);
        main.bind("stringSerializer", new StringRedisSerializer(StandardCharsets.UTF_8));
        main.bind("haproxyCommandEncoder", new StringEncoder(StandardCharsets.UTF_8));
        main.bind("haproxyReplyDecoder", new ReplyUntilCloseDecoder.Factory());
        subscriptions.containers().forEach((id, container) -> main.bind(SentinelSubscriptions.containerBeanName(id), container));

        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport support) {
                CamelContext context = support.getCamelContext();
                instantiateTemplates(context, config, templates);
                reconcile.connect(context.createProducerTemplate());
                producer.set(context.createProducerTemplate());
            }

            @Override
            public void afterStart(BaseMainSupport support) {
                ProducerTemplate template = support.getCamelContext().createProducerTemplate();
                Thread warming = new Thread(() -> warmUp.run(template), "warm-up");
                warming.setDaemon(true);
                warming.start();
            }

            @Override
            public void afterStop(BaseMainSupport support) {
                subscriptions.close();
                alerts.close();
                endpointWorkers.close();
                consulWorker.close();
                fences.close();
                resolver.close();
            }
        });
        main.run(args);
    }

    /**
     * The Consul branch's beans. The component carries the URL and the ACL token, so no endpoint URI (which Camel
     * may log) ever holds the token. With Consul off, the consul route drops every routing before the worker.
     */
    private static ConsulWorker consul(Main main, RelayConfig config, ConsulSync sync,
                                       AtomicReference<ProducerTemplate> producer) {
        ConsulWorker worker = new ConsulWorker(routing -> producer.get().sendBody("direct:consul-master", routing));
        main.bind("consulWorker", worker);
        ConsulConfig consul = config.consul();
        // bound even with Consul off: the consul routes refer to it (and never call it then)
        main.bind("consulSync", sync);
        main.bind("consulRetryLog", (Processor) exchange -> sync.retrying(
                exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class),
                exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)));
        if (consul == null) {
            return worker;
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
        return worker;
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
