package dev.sentinelrelay.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

/** Switches logging to JSON lines ({@code relay.log.format=json}) before the relay logs its first line. */
public final class LogFormat {

    private LogFormat() {
    }

    /** Replaces the human-readable configuration (logback.xml) with logback-json.xml. */
    public static void json() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        context.reset();
        try {
            configurator.doConfigure(LogFormat.class.getResource("/logback-json.xml"));
        } catch (JoranException e) {
            throw new IllegalStateException("cannot configure JSON logging: " + e.getMessage(), e);
        }
    }
}
