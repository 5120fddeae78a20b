package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One log line when a server's TLS connection starts failing (or fails for another reason), one when it works
 * again: the relay asks every sentinel at each verification, and a line per question would bury the reason.
 */
public final class TlsFailureLog {

    private static final Logger LOG = LoggerFactory.getLogger(TlsFailureLog.class);

    /** server ("sentinel 127.0.0.1:26379") -> the reason last logged */
    private final Map<String, String> failing = new ConcurrentHashMap<>();

    /**
     * A connection to {@code server} failed; logged when it is a TLS failure not logged for it yet.
     *
     * @param kind    "sentinel" or "redis"
     * @param overTls it was a TLS connection (see {@link TlsFailure#describe})
     */
    public void failed(String kind, HostPort server, Throwable failure, boolean overTls) {
        TlsFailure.describe(failure, overTls).ifPresent(reason -> {
            String name = kind + " " + server;
            if (!reason.equals(failing.put(name, reason))) {
                LOG.warn("{}: {}; its answers are not used until it connects", name, reason);
            }
        });
    }

    /** A command to {@code server} succeeded (on the promotion watch's hot path: nothing to do unless one failed). */
    public void succeeded(String kind, HostPort server) {
        if (!failing.isEmpty() && failing.remove(kind + " " + server) != null) {
            LOG.info("{} {}: TLS connection works again", kind, server);
        }
    }
}
