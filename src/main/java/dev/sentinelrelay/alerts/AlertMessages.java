package dev.sentinelrelay.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sentinelrelay.support.DurableFiles;
import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.AlertsConfig.Channel;
import dev.sentinelrelay.configuration.AlertsConfig.Severity;
import org.apache.camel.Exchange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a channel's template sees, and the addressing of the rendered message. The template (one file per channel
 * type in {@code config/templates/}) turns the model into the message; see {@code config/templates/README.md}.
 */
public final class AlertMessages {

    private final AlertsConfig config;

    public AlertMessages(AlertsConfig config) {
        this.config = config;
    }

    /** The template's data model: {@code title}, {@code count}, {@code alerts} (each with its facts), ... */
    public Map<String, Object> model(OutboxEntry entry) {
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (Alert a : entry.alerts()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", a.id());
            m.put("kind", a.kind().id());
            m.put("title", a.kind().title);
            m.put("severity", a.kind().severity.id());
            m.put("resolve", a.kind().resolve());
            m.put("master", a.master() == null ? "" : a.master());
            m.put("time", a.time());
            m.put("summary", a.summary());
            m.put("details", a.details());
            alerts.add(m);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", title(entry));
        model.put("severity", highest(entry).id());
        model.put("count", entry.alerts().size());
        model.put("group", entry.id());
        model.put("created", entry.created());
        model.put("channel", entry.channel());
        model.put("alerts", alerts);
        return model;
    }

    /** One line: the highest severity, and what happened to which master. */
    static String title(OutboxEntry entry) {
        String what = entry.alerts().stream()
                .map(a -> (a.master() == null ? "" : a.master() + " ") + a.kind().title)
                .distinct().collect(Collectors.joining(", "));
        String count = entry.alerts().size() == 1 ? "" : entry.alerts().size() + " alerts: ";
        return "[" + highest(entry).name() + "] " + count + what;
    }

    private static Severity highest(OutboxEntry entry) {
        return entry.alerts().stream().map(a -> a.kind().severity).max(Comparator.naturalOrder()).orElse(Severity.INFO);
    }

    /**
     * Addresses the rendered message: the webhook URL (in a header, so it never appears in an endpoint URI) and
     * the JSON content type after checking the template produced valid JSON; or the email subject.
     */
    public void address(Exchange exchange) {
        OutboxEntry entry = exchange.getProperty(AlertRetry.ENTRY, OutboxEntry.class);
        Channel channel = config.channel(entry.channel());
        String body = exchange.getMessage().getBody(String.class);
        if (channel.type().http()) {
            try {
                DurableFiles.JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("template " + channel.type().id() + ".ftl produced invalid JSON: "
                        + e.getOriginalMessage());
            }
            exchange.getMessage().setHeader(Exchange.HTTP_URI, channel.url());
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        } else {
            exchange.getMessage().setHeader("Subject", "sentinel-relay " + title(entry));
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        }
    }

    /** The template file of a channel type: {@code <type>.ftl}. */
    public static String template(AlertsConfig.Type type) {
        return type.name().toLowerCase(Locale.ROOT) + ".ftl";
    }
}
