package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.Failures;
import dev.sentinelrelay.tls.ClientTls;
import dev.sentinelrelay.tls.TlsFailure;
import dev.sentinelrelay.tls.TlsFailureLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One pub/sub listener container per sentinel for camel-spring-redis consumers. Each container delivers
 * messages on a single thread, in the order the sentinel published them, and resubscribes by itself after
 * the sentinel comes back; a watcher on the same connection reports every resubscription so the relay can
 * reconcile what it may have missed meanwhile.
 */
public final class SentinelSubscriptions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SentinelSubscriptions.class);
    /** A channel nothing publishes on: the watcher only wants the subscription confirmations. */
    private static final String WATCH_CHANNEL = "__sentinel-relay__:watch";
    private static final long RECOVERY_INTERVAL_MILLIS = 1000;

    private final Map<String, RedisMessageListenerContainer> containers = new LinkedHashMap<>();
    private final List<JedisConnectionFactory> factories = new ArrayList<>();
    private final TlsFailureLog tlsFailures;
    /** The sentinels are asked over TLS (relay.sentinel.tls). */
    private final boolean overTls;
    private volatile boolean closed;

    /** Told every time a sentinel's subscription is established. */
    public interface Listener {
        /** @param again true when the subscription was re-established (events may have been missed meanwhile) */
        void subscribed(String sentinelId, boolean again);
    }

    /**
     * @param newThread   a single-thread executor with this name (in the relay: Camel's, shut down with Camel)
     * @param tlsFailures where a TLS failure to subscribe is logged (shared with the verifications' connections)
     */
    public SentinelSubscriptions(RelayConfig config, Listener onSubscribed, Function<String, ExecutorService> newThread,
                                 TlsFailureLog tlsFailures) {
        this.tlsFailures = tlsFailures;
        this.overTls = config.tls().forSentinels() != null;
        for (int i = 0; i < config.sentinels().size(); i++) {
            String id = sentinelId(i);
            HostPort sentinel = config.sentinels().get(i);
            containers.put(id, container(id, sentinel, config, onSubscribed, newThread.apply(id + "-events")));
        }
    }

    public static String sentinelId(int index) {
        return "sentinel-" + (index + 1);
    }

    /** Registry name of the listener container the sentinel's route template consumes from. */
    public static String containerBeanName(String sentinelId) {
        return sentinelId + "-listener";
    }

    public Map<String, RedisMessageListenerContainer> containers() {
        return containers;
    }

    private RedisMessageListenerContainer container(String id, HostPort sentinel, RelayConfig config,
                                                    Listener onSubscribed, ExecutorService subscription) {
        RedisStandaloneConfiguration target = new RedisStandaloneConfiguration(sentinel.host(), sentinel.port());
        if (config.sentinelCredentials().present()) {
            target.setUsername(config.sentinelCredentials().username());
            target.setPassword(config.sentinelCredentials().password());
        }
        Duration timeout = config.verifyTimeout().multipliedBy(4);
        JedisClientConfiguration.JedisClientConfigurationBuilder client = JedisClientConfiguration.builder()
                .connectTimeout(timeout).readTimeout(Duration.ZERO);
        ClientTls tls = config.tls().forSentinels();
        if (tls != null) {
            client.useSsl().sslSocketFactory(tls.socketFactory()).sslParameters(tls.parameters());
        }
        JedisConnectionFactory factory = new JedisConnectionFactory(target, client.build());
        factory.afterPropertiesSet();
        factory.start();
        factories.add(factory);

        // Messages are delivered on the thread that reads the subscription, in the order the sentinel published
        // them (the default executor runs each on a new thread: +failover-end could overtake +switch-master),
        // and without a thread hand-off on the way to a failover. The route only parses and queues them.

        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(factory);
        container.setTaskExecutor(Runnable::run);
        container.setSubscriptionExecutor(subscription);
        container.setRecoveryInterval(RECOVERY_INTERVAL_MILLIS);
        container.setBeanName(containerBeanName(id));
        container.afterPropertiesSet();
        // registered before the start, so it is subscribed with the start, whenever that succeeds
        container.addMessageListener(new Watcher(id, sentinel, onSubscribed), new ChannelTopic(WATCH_CHANNEL));
        startOrRetry(id, sentinel, container, subscription, false);
        return container;
    }

    /**
     * Starts the container, which subscribes at once. The container recovers by itself from a sentinel lost later,
     * but throws a failed first subscription at its caller and gives up: a sentinel that is down or refuses the TLS
     * handshake when the relay starts must not keep the relay from starting (a majority may be fine), so the start
     * is tried again every second, on the thread the subscription will run on, until it subscribes. Listeners the
     * routes add meanwhile are only registered, and subscribed with the start.
     */
    private void startOrRetry(String id, HostPort sentinel, RedisMessageListenerContainer container,
                              ExecutorService thread, boolean failedBefore) {
        if (closed) {
            return;
        }
        try {
            container.start();
            return;
        } catch (RuntimeException e) {
            container.stop();
            if (TlsFailure.describe(e, overTls).isPresent()) {
                tlsFailures.failed("sentinel", sentinel, e, overTls);
            } else if (!failedBefore) {
                LOG.warn("{} ({}) not subscribed: {}; trying every {} ms", id, sentinel,
                        Failures.root(e).getMessage(), RECOVERY_INTERVAL_MILLIS);
            }
        }
        thread.execute(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(RECOVERY_INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // shutting down
            }
            startOrRetry(id, sentinel, container, thread, true);
        });
    }

    /** Reports the first subscription, and every later one as a reconnect. */
    private static final class Watcher implements MessageListener, SubscriptionListener {
        private final String id;
        private final HostPort sentinel;
        private final Listener onSubscribed;
        private boolean subscribedBefore;

        Watcher(String id, HostPort sentinel, Listener onSubscribed) {
            this.id = id;
            this.sentinel = sentinel;
            this.onSubscribed = onSubscribed;
        }

        @Override
        public void onMessage(Message message, byte[] pattern) {
            // nothing is published on the watch channel
        }

        @Override
        public synchronized void onChannelSubscribed(byte[] channel, long count) {
            if (!WATCH_CHANNEL.equals(new String(channel, StandardCharsets.UTF_8))) {
                return;
            }
            if (subscribedBefore) {
                LOG.info("{} ({}) resubscribed; reconciling", id, sentinel);
            } else {
                LOG.info("{} ({}) subscribed", id, sentinel);
            }
            onSubscribed.subscribed(id, subscribedBefore);
            subscribedBefore = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        containers.values().forEach(c -> {
            try {
                c.destroy();
            } catch (Exception e) {
                LOG.debug("closing listener container", e);
            }
        });
        factories.forEach(JedisConnectionFactory::destroy);
    }
}
