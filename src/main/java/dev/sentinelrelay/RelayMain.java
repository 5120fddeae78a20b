package dev.sentinelrelay;

import dev.sentinelrelay.alerts.AlertChannels;
import dev.sentinelrelay.configuration.ConfigException;
import dev.sentinelrelay.configuration.OperatorConfig;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayProperties;
import dev.sentinelrelay.deadletter.DeadLetters;
import dev.sentinelrelay.logging.LogFormat;
import dev.sentinelrelay.logging.SecretMasking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The command line: {@code check-config}, or start the relay. The configuration is validated first (exit code 2 and
 * one line naming the key when it is wrong), secrets are registered for masking before anything is logged, and a
 * summary of what the relay will do is logged; then {@link RelayCamel} runs.
 */
public final class RelayMain {

    private static final Logger LOG = LoggerFactory.getLogger(RelayMain.class);
    static final int EXIT_CONFIG = 2;

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
        if (config.discovery().enabled()) {
            LOG.info("sentinel discovery: on, the sentinels above are seeds; a discovered sentinel is forgotten after {} unlisted",
                    config.discovery().forgetAfter());
        }
        config.haproxyTargets().forEach((master, target) -> LOG.info("haproxy for {}: {}", master, target));
        config.readPools().forEach((master, pool) -> LOG.info("read pool for {}: {}", master, pool));
        LOG.info("tls: {}", config.tls());
        LOG.info("consul: {}", config.consulEnabled() ? config.consul() : "off (relay.consul.url not set)");
        LOG.info("kubernetes: {}", config.kubernetesEnabled() ? config.kubernetes() : "off (relay.kubernetes.enabled not true)");
        LOG.info("mode: {}; cluster: {}", config.observe() ? "observe (follows, verifies, reads back, never writes)" : "act",
                config.clustered() ? config.cluster() : "off (neither relay.cluster.zookeeper nor relay.cluster.kubernetes.enabled set)");
        LOG.info("health: http://{}:{}/health/live, /health/ready and /health/leader", config.apiHost(), config.apiPort());
        LOG.info("api: http://{}:{}/api/..., metrics /metrics ({})", config.apiHost(), config.apiPort(), operator);
        LOG.info("dead letters: {}", deadLetters.file().toAbsolutePath());
        LOG.info("alerts: {}", config.alerts().enabled() ? config.alerts().channels() + ", templates " + templates
                : "off (relay.alerts.channels not set)");
        new RelayCamel(config, operator, deadLetters, templates).run(configFile, args);
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
                    + (config.consulEnabled() ? ", consul" : "")
                    + (config.kubernetesEnabled() ? ", kubernetes" : "")
                    + (config.clustered() ? ", cluster " + config.cluster().name() + " as " + config.cluster().instance() : "")
                    + (config.observe() ? ", observe mode" : "") + ", alert channels " + config.alerts().channels().size() + ")");
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
        if (config.kubernetesEnabled()) {
            SecretMasking.secret(config.kubernetes().token());
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
}
