package dev.sentinelrelay.ops;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

import java.util.Map;

/**
 * GET /health/* (routes/60-api.yaml, bean {@code healthAnswer}): one check of Camel's health-check registry as
 * 200 when up, 503 otherwise, and one line, the check's message or else its state. Hand-written because Camel's own
 * health endpoint serves every check at once as JSON on the management port, outside the API's token.
 */
public final class HealthAnswer {

    /** Camel's check that the context runs: the liveness the relay reports. */
    public static final String LIVE = "context";

    public void answer(String check, Exchange exchange) {
        HealthCheck.Result result = HealthCheckHelper.invoke(exchange.getContext(), check, Map.of())
                .orElseThrow(() -> new IllegalStateException("no health check " + check + " in Camel's registry"));
        Message message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, result.getState() == HealthCheck.State.UP ? 200 : 503);
        message.setBody(result.getMessage().orElse(result.getState().name()));
    }
}
