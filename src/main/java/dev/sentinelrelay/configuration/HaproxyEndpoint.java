package dev.sentinelrelay.configuration;

/**
 * One HAProxy runtime API socket: {@code unix:/path/admin.sock} or {@code tcp:host:port}.
 *
 * @param id short stable name used in logs and route ids, e.g. {@code haproxy-1}
 */
public record HaproxyEndpoint(String id, String unixPath, HostPort tcp) {

    public static HaproxyEndpoint parse(String id, String text) {
        String s = text.trim();
        if (s.startsWith("unix:")) {
            String path = s.substring("unix:".length());
            if (!path.startsWith("/") || path.length() < 2) {
                throw new IllegalArgumentException("'" + s + "' needs an absolute socket path after unix:");
            }
            return new HaproxyEndpoint(id, path, null);
        }
        if (s.startsWith("tcp:")) {
            return new HaproxyEndpoint(id, null, HostPort.parse(s.substring("tcp:".length())));
        }
        throw new IllegalArgumentException("'" + s + "' must start with unix: or tcp:");
    }

    /**
     * The camel-netty producer URI of the endpoint's runtime API sessions: connections kept open in HAProxy's
     * interactive mode ({@code haproxySession}, an {@code InteractiveSession} per connection) and pooled, one per
     * round trip in flight; a closed one is replaced on the next borrow, and a unix socket needs the native (epoll)
     * transport. Synchronous: the endpoint route that sent the command waits for the reply on its own thread, so a
     * master's task on the endpoint (and its retries) runs start to end there; an asynchronous reply would let that
     * thread take the next task meanwhile. The reply timeout applies on every borrow of a pooled connection too (camel-netty
     * re-arms it).
     */
    public String nettyUri(long timeoutMillis) {
        String common = "?sync=true&synchronous=true&disconnect=false&producerPoolEnabled=true"
                // never closed for idleness (camel-netty's default: after 5 min): the first command after a long
                // quiet period is the failover's
                + "&producerPoolMinEvictableIdle=0"
                // one event loop thread, already running when a session reconnects (a new one costs ms)
                + "&workerCount=1"
                + "&encoders=#haproxyCommandEncoder&decoders=#haproxySession"
                + "&requestTimeout=" + timeoutMillis + "&connectTimeout=" + timeoutMillis;
        if (unixPath != null) {
            // host and port are required by the URI syntax but unused for a unix socket
            return "netty:tcp://localhost:1" + common + "&nativeTransport=true&unixDomainSocketPath=" + unixPath;
        }
        return "netty:tcp://" + tcp + common;
    }

    @Override
    public String toString() {
        return unixPath != null ? "unix:" + unixPath : "tcp:" + tcp;
    }
}
