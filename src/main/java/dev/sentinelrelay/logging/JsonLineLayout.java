package dev.sentinelrelay.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON object per log line ({@code relay.log.format=json}): time, level, thread, logger, message and, when there
 * is one, the exception. Message and exception go through {@link SecretMasking} like the text format's.
 */
public final class JsonLineLayout extends LayoutBase<ILoggingEvent> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private boolean stackTraces = true;

    /** false: the exception's class and message only (for a logger that repeats the same trace every second). */
    public void setStackTraces(boolean stackTraces) {
        this.stackTraces = stackTraces;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
        line.put("level", event.getLevel().toString());
        line.put("thread", event.getThreadName());
        line.put("logger", event.getLoggerName());
        line.put("message", SecretMasking.mask(event.getFormattedMessage()));
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.put("exception", SecretMasking.mask(stackTraces ? ThrowableProxyUtil.asString(thrown)
                    : thrown.getClassName() + ": " + thrown.getMessage()));
        }
        try {
            return JSON.writeValueAsString(line) + CoreConstants.LINE_SEPARATOR;
        } catch (JsonProcessingException e) {
            return "{\"level\":\"ERROR\",\"message\":\"cannot write a log line as JSON\"}" + CoreConstants.LINE_SEPARATOR;
        }
    }
}
