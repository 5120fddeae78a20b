package dev.sentinelrelay.support;

import org.apache.camel.CamelExecutionException;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertSame;

class FailuresTest {

    @Test
    void camelsWrappersArePeeledOffDownToTheFailureItself() {
        IllegalStateException failure = new IllegalStateException("Cannot connect to 127.0.0.1:9999", new ConnectException("refused"));
        Exception wrapped = new CamelExecutionException("exchange failed", null,
                new RuntimeCamelException("Failed to invoke method: readBack(...)", failure));
        assertSame(failure, Failures.withoutCamelWrappers(wrapped));
        assertSame(failure, Failures.withoutCamelWrappers(failure), "not wrapped: itself");
    }

    @Test
    void anHttpAnswerIsTheFailure() {
        HttpOperationFailedException http = new HttpOperationFailedException("http://x", 503, "Unavailable", null, Map.of(), "");
        assertSame(http, Failures.withoutCamelWrappers(new RuntimeCamelException(http)));
    }

    @Test
    void theRootIsTheDeepestCause() {
        ConnectException refused = new ConnectException("refused");
        assertSame(refused, Failures.root(new RuntimeCamelException(new IllegalStateException("x", refused))));
        assertSame(refused, Failures.root(refused));
    }
}
