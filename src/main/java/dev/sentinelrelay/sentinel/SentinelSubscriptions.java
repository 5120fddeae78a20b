package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.support.Failures;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.tls.ClientTls;
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
import org.springframework.data.redis.listener.Topic;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One pub/sub listener container per followed sentinel for camel-spring-redis consumers (discovered sentinels'
 * are added and removed at runtime). Each container delivers
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
    private final Map<String, JedisConnectionFactory> factories = new LinkedHashMap<>();
    private final Map<String, ExecutorService> threads = new LinkedHashMap<>();
    private final RelayConfig config;
    private final Listener onSubscribed;
    private final Function<String, ExecutorService> newThread;
    private final TlsFailureLog tlsFailures;
    /** The sentinels are asked over TLS (relay.sentinel.tls). */
    private final boolean overTls;

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
        this.config = config;
        this.onSubscribed = onSubscribed;
        this.newThread = newThread;
        this.tlsFailures = tlsFailures;
        this.overTls = config.tls().forSentinels() != null;
        for (int i = 0; i < config.sentinels().size(); i++) {
            add(sentinelId(i), config.sentinels().get(i));
        }
    }

    /**
     * Subscribes to one more sentinel (a discovered one); returns its container, for its subscriber route. Throws
     * when the sentinel refuses the subscription (e.g. NOAUTH: the container does not retry that), leaving nothing
     * behind.
     */
    public synchronized RedisMessageListenerContainer add(String id, HostPort sentinel) {
        ExecutorService thread = newThread.apply(id + "-events");
        threads.put(id, thread);
        try {
            RedisMessageListenerContainer container = container(id, sentinel, config, onSubscribed, thread);
            containers.put(id, container);
            return container;
        } catch (RuntimeException e) {
            remove(id);
            throw e;
        }
    }

    /**
     * Unsubscribes from a sentinel the relay no longer follows (once its route is removed). Its thread is interrupted
     * first: while the sentinel is down (as a removed one usually is) the container retries on that thread, sleeping
     * under the lock its stop needs, and stopping it then would wait forever (measured with spring-data-redis 3.5.5);
     * interrupted, the retry gives up ("SubscriptionTask aborted") and the stop goes through.
     */
    public synchronized void remove(String id) {
        ExecutorService thread = threads.remove(id);
        if (thread != null) {
            thread.shutdownNow();
        }
        destroy(containers.remove(id));
        JedisConnectionFactory factory = factories.remove(id);
        if (factory != null) {
            factory.destroy();
        }
    }

    public static String sentinelId(int index) {
        return "sentinel-" + (index + 1);
    }

    /** Registry name of the listener container the sentinel's route template consumes from. */
    public static String containerBeanName(String sentinelId) {
        return sentinelId + "-listener";
    }

    public synchronized Map<String, RedisMessageListenerContainer> containers() {
        return Map.copyOf(containers);
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
        factories.put(id, factory);

        // Messages are delivered on the thread that reads the subscription, in the order the sentinel published
        // them (the default executor runs each on a new thread: +failover-end could overtake +switch-master),
        // and without a thread hand-off on the way to a failover. The route parses and queues them, and decides a
        // +switch-master itself when the relay is quiet (routes/20-events.yaml).

        RedisMessageListenerContainer container = new RetriedContainer();
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
     * handshake when the relay starts must not keep the relay from starting (a majority may be fine), so after a
     * connection failure the start is tried again every second, on the thread the subscription will run on, until
     * it subscribes. Listeners the routes add meanwhile are only registered, and subscribed with the start. A
     * sentinel that answers with a refusal (NOAUTH) is not retried: the first one is thrown at the caller
     * ({@link #add} reports it), a later one logged.
     */
    private void startOrRetry(String id, HostPort sentinel, RedisMessageListenerContainer container,
                              ExecutorService thread, boolean failedBefore) {
        try {
            container.start();
            return;
        } catch (RuntimeException e) {
            container.stop();
            if (!connectionFailure(e)) {
                if (!failedBefore) {
                    throw e;
                }
                LOG.warn("{} ({}) refuses the subscription: {}; not trying again", id, sentinel, Failures.root(e).getMessage());
                return;
            }
            if (TlsFailure.describe(e, overTls).isPresent()) {
                tlsFailures.failed("sentinel", sentinel, e, overTls);
            } else if (!failedBefore) {
                LOG.warn("{} ({}) not subscribed: {}; trying every {} ms", id, sentinel,
                        Failures.root(e).getMessage(), RECOVERY_INTERVAL_MILLIS);
            }
        }
        if (thread.isShutdown()) {
            return; // removed, or the relay is stopping
        }
        thread.execute(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(RECOVERY_INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // removed, or the relay is stopping
            }
            startOrRetry(id, sentinel, container, thread, true);
        });
    }

    /**
     * A container whose routes may register while its first subscription is still being retried: a route that starts
     * while a retry's start is under way would otherwise get that start's connection failure thrown at it (the
     * container waits for the subscription when a listener is added), and the relay would not start. The listener is
     * registered either way, and subscribed by the retry that succeeds (or by the container's own recovery).
     */
    private static final class RetriedContainer extends RedisMessageListenerContainer {
        @Override
        public void addMessageListener(MessageListener listener, Collection<? extends Topic> topics) {
            try {
                super.addMessageListener(listener, topics);
            } catch (RuntimeException e) {
                if (!connectionFailure(e)) {
                    throw e;
                }
                LOG.debug("listener registered, subscribed once the sentinel connects: {}", Failures.root(e).getMessage());
            }
        }
    }

    /** The connection failed (refused, reset, TLS handshake), as opposed to the sentinel answering with an error. */
    private static boolean connectionFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof JedisConnectionException) {
                return true;
            }
        }
        return false;
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

    private static void destroy(RedisMessageListenerContainer container) {
        if (container == null) {
            return;
        }
        try {
            container.destroy();
        } catch (Exception e) {
            LOG.debug("closing listener container", e);
        }
    }

    /** Every subscription, each as {@link #remove} does it (a sentinel down at shutdown must not hang the stop). */
    @Override
    public synchronized void close() {
        List.copyOf(containers.keySet()).forEach(this::remove);
    }
}
