package dev.sentinelrelay;

import dev.sentinelrelay.alerts.AlertChannels;
import dev.sentinelrelay.alerts.FailoverReports;
import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.HaproxyEndpoint;
import dev.sentinelrelay.configuration.OperatorConfig;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.destinations.consul.ConsulSync;
import dev.sentinelrelay.destinations.haproxy.HaproxySync;
import dev.sentinelrelay.destinations.kubernetes.KubernetesSync;
import dev.sentinelrelay.destinations.readpool.ReadPools;
import dev.sentinelrelay.destinations.readpool.ReadPoolTask;
import dev.sentinelrelay.deadletter.DeadLetters;
import dev.sentinelrelay.ops.SafeRouteReload;
import dev.sentinelrelay.sentinel.SentinelSubscriptions;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs Camel with the relay's settings: the routes in {@code routes/*.yaml}, the beans they call
 * ({@link RelayBeans}), and the routes instantiated from the templates there: one subscriber per sentinel, one
 * resolver per master, one route per HAProxy endpoint and one per alert channel.
 */
record RelayCamel(RelayConfig config, OperatorConfig operator, DeadLetters deadLetters, Path templates) {

    private static final Logger LOG = LoggerFactory.getLogger(RelayCamel.class);
    /** The leader confirms its leadership four times per session timeout, at most every 250 ms. */
    private static final long MIN_HEARTBEAT_MS = 250;

    /** Runs until the JVM is asked to stop. */
    void run(Path configFile, String[] args) throws Exception {
        Main main = new Main();
        // the configuration file comes last so an operator can override any of the Camel defaults
        main.setPropertyPlaceholderLocations("classpath:camel-defaults.properties,file:" + configFile);
        main.addInitialProperty("camel.server.host", config.apiHost());
        main.addInitialProperty("camel.server.port", String.valueOf(config.apiPort()));
        main.addInitialProperty("relay.reconcile.period-ms", String.valueOf(config.reconcileInterval().toMillis()));
        // routes/15-sentinel-discovery.yaml runs only with discovery on, as often as the reconcile
        main.addInitialProperty("relay.sentinels.discover", String.valueOf(config.discovery().enabled()));
        // routes/05-leadership.yaml exists only where the relay takes part in an election
        main.addInitialProperty("relay.cluster.elect", String.valueOf(config.elects()));
        // its heartbeat: on ZooKeeper a zookeeper-master timer (the leader's only), on a Lease a timer on every relay
        main.addInitialProperty("relay.cluster.elect-zookeeper", String.valueOf(config.elects() && !config.electsOnLease()));
        main.addInitialProperty("relay.cluster.elect-lease", String.valueOf(config.electsOnLease()));
        main.addInitialProperty("relay.cluster.heartbeat-ms", String.valueOf(config.clustered()
                ? Math.max(MIN_HEARTBEAT_MS, config.cluster().sessionTimeout().toMillis() / 4) : MIN_HEARTBEAT_MS));
        main.addInitialProperty("relay.haproxy.timeout-ms", String.valueOf(config.haproxyTimeout().toMillis()));
        main.addInitialProperty("relay.alerts.failover-report-deadline-ms",
                String.valueOf(FailoverReports.DEADLINE.toMillis()));
        main.addInitialProperty("relay.alerts.group-window-ms", String.valueOf(config.alerts().groupWindow().toMillis()));
        String alertTimeout = String.valueOf(config.alerts().timeout().toMillis());
        main.addInitialProperty("camel.component.http.connect-timeout", alertTimeout);
        main.addInitialProperty("camel.component.http.response-timeout", alertTimeout);
        main.addInitialProperty("camel.component.http.so-timeout", alertTimeout);
        main.addMainListener(new MainListenerSupport() {
            private RelayBeans beans;

            @Override
            public void beforeConfigure(BaseMainSupport support) {
                CamelContext context = support.getCamelContext();
                // the beans' pools are made before camel-main applies camel.main.thread-name-pattern: apply it first
                context.getPropertiesComponent().resolveProperty("camel.main.thread-name-pattern")
                        .ifPresent(context.getExecutorServiceManager()::setThreadNamePattern);
                beans = new RelayBeans(context, config, operator, deadLetters);
            }

            @Override
            public void afterConfigure(BaseMainSupport support) {
                CamelContext context = support.getCamelContext();
                instantiateTemplates(context);
                if (operator.routesReload()) {
                    addRouteReload(context, support.configure().getRoutesIncludePattern());
                }
            }

            @Override
            public void beforeStop(BaseMainSupport support) {
                beans.unsubscribe();
            }

            @Override
            public void afterStop(BaseMainSupport support) {
                beans.close();
            }
        });
        main.run(args);
    }

    private void instantiateTemplates(CamelContext context) {
        for (int i = 0; i < config.sentinels().size(); i++) {
            SentinelFollowing.addSubscriberRoute(context, SentinelSubscriptions.sentinelId(i), config.sentinels().get(i));
        }
        for (String master : config.masters()) {
            TemplatedRouteBuilder.builder(context, "master-resolver")
                    .routeId("resolve-" + master)
                    .parameter("master", master)
                    .add();
        }
        List<String> endpoints = config.haproxyEndpoints().stream().map(HaproxyEndpoint::id).toList();
        // a thread per master: a master's task never waits for another master's (a host's masters failing over at
        // once), and their lines wait together for one round trip (RuntimeApi batches them)
        HaproxySync.PIPELINE.addTo(context, endpoints, config.masters().size());
        // one Consul, one thread: a master's updates in order, and one master's retries delay the others (as Consul
        // being down would anyway)
        ConsulSync.PIPELINE.addTo(context, List.of(ConsulSync.QUEUE), 1);
        // one API server, a thread per master: a master refused (RBAC, an object not the relay's) or retrying never
        // delays another's; with Kubernetes off its queue gets no task, and one idle thread
        KubernetesSync.PIPELINE.addTo(context, List.of(KubernetesSync.QUEUE),
                config.kubernetesEnabled() ? config.masters().size() : 1);
        List<String> readQueues = config.readPools().isEmpty() ? List.of()
                : config.haproxyEndpoints().stream().map(ReadPoolTask::queueOf).toList();
        ReadPools.PIPELINE.addTo(context, readQueues, config.readPools().size());
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
}
