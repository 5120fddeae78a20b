package dev.sentinelrelay.configuration;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A validated network address: an IPv4 literal, an IPv6 literal or a hostname, and a port 1-65535.
 * Everything that reaches a Redis connection or an HAProxy command passes through here first.
 */
public record HostPort(String host, int port) {

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    public HostPort {
        if (!isValidHost(host)) {
            throw new IllegalArgumentException("'" + host + "' is not an IP address or hostname");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
    }

    /** Parses {@code host:port} or {@code [ipv6]:port}. */
    public static HostPort parse(String text) {
        String s = text.trim();
        int colon;
        String host;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + s + "' is not [ipv6]:port");
            }
            host = s.substring(1, close);
            colon = close + 1;
            if (!isIpv6(host)) {
                throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
            }
        } else {
            colon = s.lastIndexOf(':');
            if (colon <= 0 || s.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + s + "' is not host:port (write IPv6 as [addr]:port)");
            }
            host = s.substring(0, colon);
        }
        return new HostPort(host, parsePort(s.substring(colon + 1)));
    }

    /** Parses a port number 1-65535 given as text. */
    public static int parsePort(String text) {
        if (!text.matches("\\d{1,5}")) {
            throw new IllegalArgumentException("port '" + text + "' is not a number");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
        return port;
    }

    public static boolean isValidHost(String host) {
        return host != null && (isIpLiteral(host) || HOSTNAME.matcher(host).matches());
    }

    public static boolean isIpLiteral(String host) {
        return host != null && (IPV4.matcher(host).matches() || isIpv6(host));
    }

    private static boolean isIpv6(String host) {
        if (!host.contains(":") || !IPV6.matcher(host).matches()) {
            return false;
        }
        try {
            return InetAddress.getByName(host) instanceof Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** This address, its hostname resolved: HAProxy's runtime API takes IP addresses; sentinels may announce names. */
    public HostPort toIpLiteral() throws UnknownHostException {
        return isIpLiteral(host) ? this : new HostPort(InetAddress.getByName(host).getHostAddress(), port);
    }

    /** True when this address (a hostname compared by the address it resolves to) is {@code ipLiteral}. */
    public boolean sameServer(HostPort ipLiteral) {
        try {
            return equals(ipLiteral) || toIpLiteral().equals(ipLiteral);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
