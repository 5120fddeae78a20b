package dev.sentinelrelay.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /health/*: a check of Camel's health-check registry as 200 or 503 and one line. */
class HealthAnswerTest {

    private final CamelContext context = new DefaultCamelContext();
    private final AtomicBoolean ready = new AtomicBoolean();
    private final HealthAnswer answer = new HealthAnswer();
    private HealthCheckRegistry checks;

    @BeforeEach
    void start() {
        checks = HealthCheckRegistry.get(context);
        checks.register(checks.resolveById(HealthAnswer.LIVE));
        checks.register(new RelayCheck(RelayCheck.READY, true, ready::get, () -> (ready.get() ? "ready" : "not ready") + ": why"));
        context.start();
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void upIs200WithTheChecksLineDownIs503() {
        assertEquals("503 not ready: why", answer(RelayCheck.READY));
        ready.set(true);
        assertEquals("200 ready: why", answer(RelayCheck.READY));
    }

    @Test
    void livenessIsCamelsContextCheckAndSaysUp() {
        assertEquals("200 UP", answer(HealthAnswer.LIVE));
    }

    @Test
    void theRelaysReadinessCountsAmongCamelsReadinessChecksOnly() {
        RelayCheck check = (RelayCheck) checks.getCheck(RelayCheck.READY).orElseThrow();
        assertTrue(check.isReadiness());
        assertFalse(check.isLiveness());
        assertEquals("relay", check.getGroup());
    }

    @Test
    void anUnknownCheckIsAnError() {
        assertThrows(IllegalStateException.class, () -> answer("no-such-check"));
    }

    private String answer(String check) {
        Exchange exchange = new DefaultExchange(context);
        answer.answer(check, exchange);
        return exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE) + " " + exchange.getMessage().getBody();
    }
}
