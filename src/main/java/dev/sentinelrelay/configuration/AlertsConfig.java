package dev.sentinelrelay.configuration;

import dev.sentinelrelay.logging.SecretMasking;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where alerts go: any number of named channels ({@code relay.alerts.channels}), each a chat webhook, a generic
 * JSON webhook or email, with its own severity filter and retry policy. No channels: no alerts are sent.
 *
 * @param groupWindow alerts raised within this window go out together, one message per channel
 * @param repeatAfter the same alert (same kind, master and address) is not sent again within this window
 * @param timeout     how long one delivery attempt may take (connecting, then waiting for the answer)
 * @param templates   directory of the message templates (default {@code config/templates})
 */
public record AlertsConfig(List<Channel> channels, Duration groupWindow, Duration repeatAfter, Duration timeout,
                           String templates) {

    /** Channel names end up in file names, route ids and queue names. */
    static final Pattern CHANNEL_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern ADDRESS = Pattern.compile("[^\\s@,<>\"]{1,64}@[A-Za-z0-9.-]{1,253}");

    public enum Type {
        /** Slack incoming webhook JSON; also Mattermost and Rocket.Chat incoming webhooks. */
        SLACK,
        /** Microsoft Teams Workflows webhook carrying an Adaptive Card. */
        TEAMS,
        DISCORD,
        /** The documented generic JSON document (see README). */
        WEBHOOK,
        EMAIL;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public boolean http() {
            return this != EMAIL;
        }
    }

    public enum Severity {
        INFO, WARNING, CRITICAL;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** SMTP settings of an email channel. */
    public record Smtp(String host, int port, String from, List<String> to, String username, String password,
                       boolean starttls) {
        @Override
        public String toString() {
            return host + ":" + port + " from " + from + " to " + to + (username == null ? "" : " as " + username + ":******")
                    + (starttls ? " starttls" : "");
        }
    }

    /**
     * @param url       webhook URL (a secret: it carries the token); null for email
     * @param smtp      null for webhooks
     * @param attempts  delivery attempts in all, the first included
     * @param retryDelay first delay between attempts, doubling up to {@code maxRetryDelay}
     */
    public record Channel(String name, Type type, String url, Smtp smtp, Severity minSeverity, boolean sendResolved,
                          int attempts, Duration retryDelay, Duration maxRetryDelay) {

        /** Whether this channel gets an alert of this severity. */
        public boolean accepts(Severity severity, boolean resolve) {
            return severity.compareTo(minSeverity) >= 0 && (sendResolved || !resolve);
        }

        @Override
        public String toString() {
            String where = type.http() ? "webhook " + SecretMasking.hostOnly(url) : "smtp " + smtp;
            return name + " (" + type.id() + ", " + where + ", min-severity " + minSeverity.id()
                    + (sendResolved ? "" : ", no resolves") + ", " + attempts + " attempts)";
        }
    }

    public boolean enabled() {
        return !channels.isEmpty();
    }

    public Channel channel(String name) {
        return channels.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    static AlertsConfig read(ConfigReader r) {
        List<Channel> channels = new ArrayList<>();
        String names = r.optional("relay.alerts.channels", null);
        if (names != null) {
            for (String name : r.list("relay.alerts.channels", n -> {
                if (!CHANNEL_NAME.matcher(n).matches()) {
                    throw new IllegalArgumentException("channel name '" + n + "' may only contain lower-case letters, digits and '-'");
                }
                return n;
            })) {
                if (channels.stream().anyMatch(c -> c.name().equals(name))) {
                    throw new ConfigException("relay.alerts.channels", "lists '" + name + "' twice");
                }
                channels.add(channel(r, name));
            }
        }
        String templates = r.optional("relay.alerts.templates", "config/templates");
        return new AlertsConfig(List.copyOf(channels), r.duration("relay.alerts.group-window", "2s"),
                r.duration("relay.alerts.repeat-after", "10m"), r.duration("relay.alerts.timeout", "10s"), templates);
    }

    private static Channel channel(ConfigReader r, String name) {
        String p = "relay.alerts." + name + ".";
        String typeText = r.required(p + "type");
        Type type;
        try {
            type = Type.valueOf(typeText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(p + "type", "'" + typeText + "' is not one of slack, teams, discord, webhook, email");
        }
        String url = null;
        Smtp smtp = null;
        if (type.http()) {
            url = r.required(p + "url");
            checkUrl(p + "url", url);
        } else {
            smtp = smtp(r, p);
        }
        String severityText = r.optional(p + "min-severity", "info");
        Severity severity;
        try {
            severity = Severity.valueOf(severityText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(p + "min-severity", "'" + severityText + "' is not one of info, warning, critical");
        }
        int attempts = r.count(p + "attempts", 5, 100);
        if (attempts < 1) {
            throw new ConfigException(p + "attempts", "must be at least 1");
        }
        Duration delay = r.duration(p + "retry-delay", "1s");
        Duration maxDelay = r.duration(p + "max-retry-delay", "60s");
        if (maxDelay.compareTo(delay) < 0) {
            throw new ConfigException(p + "max-retry-delay", "is shorter than " + p + "retry-delay");
        }
        return new Channel(name, type, url, smtp, severity, r.bool(p + "send-resolved", true), attempts, delay, maxDelay);
    }

    private static Smtp smtp(ConfigReader r, String p) {
        String host = r.required(p + "smtp-host");
        if (!HostPort.isValidHost(host)) {
            throw new ConfigException(p + "smtp-host", "'" + host + "' is not an IP address or hostname");
        }
        boolean starttls = r.bool(p + "starttls", false);
        int port = r.convert(p + "smtp-port", r.optional(p + "smtp-port", starttls ? "587" : "25"), HostPort::parsePort);
        String from = address(r, p + "from", r.required(p + "from"));
        List<String> to = r.list(p + "to", a -> address(r, p + "to", a));
        String username = r.optional(p + "username", null);
        String password = r.optional(p + "password", null);
        if (username != null && password == null) {
            throw new ConfigException(p + "password", "is required when " + p + "username is set");
        }
        return new Smtp(host, port, from, to, username, password, starttls);
    }

    private static String address(ConfigReader r, String key, String address) {
        if (!ADDRESS.matcher(address).matches()) {
            throw new ConfigException(key, "'" + address + "' is not an email address like ops@example.com");
        }
        return address;
    }

    private static void checkUrl(String key, String url) {
        try {
            URI uri = new URI(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return;
            }
        } catch (URISyntaxException e) {
            // reported below, without the URL: it is a secret
        }
        throw new ConfigException(key, "is not an http:// or https:// URL");
    }
}
