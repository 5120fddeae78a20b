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
     * The camel-netty producer URI that sends one runtime API command and reads the whole reply.
     * HAProxy closes the connection after answering a non-interactive command, so the reply decoder
     * emits the buffer on close; a unix socket needs the native (epoll) transport. Synchronous: the route that
     * sent the command waits for the reply on its own thread, so a master's triggers (and their retries) stay
     * serialised on the master's resolver route; an asynchronous reply would let that route take the next one.
     */
    public String nettyUri(long timeoutMillis) {
        // HAProxy closes after every reply, so a pool of channels only adds work (measured: median 0.9 -> 0.5 ms)
        String common = "?sync=true&synchronous=true&disconnect=true&producerPoolEnabled=false"
                + "&encoders=#haproxyCommandEncoder&decoders=#haproxyReplyDecoder"
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
