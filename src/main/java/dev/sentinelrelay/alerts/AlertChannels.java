package dev.sentinelrelay.alerts;

import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.AlertsConfig.Channel;
import dev.sentinelrelay.configuration.AlertsConfig.Smtp;
import dev.sentinelrelay.configuration.ConfigException;
import dev.sentinelrelay.logging.SecretMasking;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** The endpoints of each channel's route: its template, and where the rendered message is sent. */
public final class AlertChannels {

    /** Every webhook goes through this endpoint; the URL itself travels in a header, so it is never in a URI. */
    public static final String HTTP_ENDPOINT = "http://alert-webhook";

    private AlertChannels() {
    }

    /** The templates directory, relay.alerts.templates; relative paths are from the working directory, like routes/. */
    public static Path templates(AlertsConfig config) {
        Path dir = Path.of(config.templates());
        for (Channel channel : config.channels()) {
            Path template = dir.resolve(AlertMessages.template(channel.type()));
            if (!Files.isReadable(template)) {
                throw new ConfigException("relay.alerts.templates", "no readable " + template + " for channel " + channel.name());
            }
        }
        return dir.toAbsolutePath();
    }

    public static String templateUri(Path templates, Channel channel) {
        return "freemarker:file:" + templates.resolve(AlertMessages.template(channel.type())) + "?contentCache=false";
    }

    /** Registry name of an email channel's extra JavaMail settings (timeouts, STARTTLS). */
    public static String mailPropertiesBean(Channel channel) {
        return "alert-mail-" + channel.name();
    }

    public static String sendUri(Channel channel) {
        if (channel.type().http()) {
            return HTTP_ENDPOINT;
        }
        Smtp smtp = channel.smtp();
        StringBuilder uri = new StringBuilder("smtp://").append(smtp.host()).append(':').append(smtp.port())
                .append("?from=RAW(").append(smtp.from()).append(")&to=RAW(").append(String.join(",", smtp.to())).append(')')
                .append("&additionalJavaMailProperties=#").append(mailPropertiesBean(channel));
        if (smtp.username() != null) {
            uri.append("&username=RAW(").append(smtp.username()).append(")&password=RAW(").append(smtp.password()).append(')');
        }
        return uri.toString();
    }

    public static Properties mailProperties(Channel channel, long timeoutMillis) {
        Properties p = new Properties();
        p.setProperty("mail.smtp.connectiontimeout", String.valueOf(timeoutMillis));
        p.setProperty("mail.smtp.timeout", String.valueOf(timeoutMillis));
        p.setProperty("mail.smtp.writetimeout", String.valueOf(timeoutMillis));
        if (channel.smtp().starttls()) {
            p.setProperty("mail.smtp.starttls.enable", "true");
            p.setProperty("mail.smtp.starttls.required", "true");
        }
        return p;
    }

    /** Webhook URLs and SMTP passwords never reach a log line. */
    public static void maskSecrets(AlertsConfig config) {
        for (Channel channel : config.channels()) {
            SecretMasking.url(channel.url());
            if (channel.smtp() != null) {
                SecretMasking.secret(channel.smtp().password());
            }
        }
    }
}
