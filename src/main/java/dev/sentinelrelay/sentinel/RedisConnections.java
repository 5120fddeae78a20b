package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig.Credentials;
import dev.sentinelrelay.tls.ClientTls;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Kept-open Jedis connections, one pool per server, so a verification costs a round trip and not a
 * TCP and AUTH handshake.
 */
public final class RedisConnections implements AutoCloseable {

    /** Connections per server where few questions go to one server at once. */
    public static final int DEFAULT_PER_SERVER = 4;

    private final String kind;
    private final JedisClientConfig clientConfig;
    private final boolean overTls;
    private final TlsFailureLog tlsFailures;
    private final int perServer;
    private final Map<HostPort, JedisPool> pools = new ConcurrentHashMap<>();

    /**
     * @param kind        "sentinel" or "redis", for the log
     * @param tls         null for plain TCP
     * @param perServer   connections kept open (at most) per server: how many questions go to one server at once
     * @param tlsFailures where a TLS failure is logged (shared by the connections to the same servers)
     */
    public RedisConnections(String kind, Credentials credentials, ClientTls tls, Duration timeout, int perServer,
                            TlsFailureLog tlsFailures) {
        this.kind = kind;
        this.perServer = perServer;
        this.tlsFailures = tlsFailures;
        this.overTls = tls != null;
        int millis = (int) timeout.toMillis();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .user(credentials.username())
                .password(credentials.password())
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
        if (tls != null) {
            config.ssl(true).sslSocketFactory(tls.socketFactory()).sslParameters(tls.parameters());
        }
        this.clientConfig = config.build();
    }

    /**
     * Runs one command. A pooled connection may have died with its server since it was last used (a restarted
     * sentinel); the pool drops a broken connection, so one immediate retry on a fresh connection tells a dead
     * socket from a dead server. A timeout is not retried: the server is there but slow (or frozen), and waiting
     * twice would only hold up the master's other triggers.
     */
    public <T> T call(HostPort server, Function<Jedis, T> command) {
        try {
            T reply = retryOnce(server, command);
            tlsFailures.succeeded(kind, server);
            return reply;
        } catch (JedisConnectionException e) {
            tlsFailures.failed(kind, server, e, overTls);
            throw e;
        }
    }

    /** What a failure of these connections reads as on the API and in verdicts when it is a TLS failure. */
    public Optional<String> tlsReason(Throwable failure) {
        return TlsFailure.describe(failure, overTls);
    }

    private <T> T retryOnce(HostPort server, Function<Jedis, T> command) {
        try {
            return once(server, command);
        } catch (JedisConnectionException e) {
            if (e.getCause() instanceof SocketTimeoutException) {
                throw e;
            }
            return once(server, command);
        }
    }

    private <T> T once(HostPort server, Function<Jedis, T> command) {
        try (Jedis jedis = pools.computeIfAbsent(server, this::newPool).getResource()) {
            return command.apply(jedis);
        }
    }

    private JedisPool newPool(HostPort server) {
        GenericObjectPoolConfig<Jedis> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(perServer);
        pool.setMaxIdle(perServer);
        pool.setMinIdle(0);
        pool.setTestOnBorrow(false);
        pool.setTestWhileIdle(false);
        pool.setJmxEnabled(false);
        return new JedisPool(pool, new HostAndPort(server.host(), server.port()), clientConfig);
    }

    @Override
    public void close() {
        pools.values().forEach(JedisPool::close);
        pools.clear();
    }
}
