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
     * Where camel-netty connects (routes/40-haproxy.yaml, route haproxy-round-trip): host and port, or for a unix
     * socket the placeholder the URI syntax requires ({@link #nettyUnixSocket} says where it really connects).
     */
    public String nettyAddress() {
        return unixPath != null ? "localhost:1" : tcp.toString();
    }

    /** The camel-netty options of a unix socket (the native, epoll, transport and the path); empty for TCP. */
    public String nettyUnixSocket() {
        return unixPath != null ? "&nativeTransport=true&unixDomainSocketPath=" + unixPath : "";
    }

    @Override
    public String toString() {
        return unixPath != null ? "unix:" + unixPath : "tcp:" + tcp;
    }
}
