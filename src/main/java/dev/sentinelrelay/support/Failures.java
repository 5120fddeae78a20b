package dev.sentinelrelay.support;

import org.apache.camel.spi.HttpResponseAware;

/** Failures as an operator needs to read them: the failure itself, not the exceptions wrapped around it. */
public final class Failures {

    private Failures() {
    }

    /**
     * The failure itself, not Camel's wrappers around it ("failed to invoke method ..."); an HTTP answer Camel
     * reports is the failure.
     */
    public static Throwable withoutCamelWrappers(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getClass().getName().startsWith("org.apache.camel.")
                && !(t instanceof HttpResponseAware)) {
            t = t.getCause();
        }
        return t;
    }

    /** The deepest cause: what went wrong in the end (connection refused, a timeout, a YAML syntax error). */
    public static Throwable root(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * The failure without Camel's wrappers, and its root cause when that is another exception: what was asked
     * (a client's exception names the request) and what went wrong in the end (connection refused, a timeout).
     */
    public static String describe(Throwable failure) {
        Throwable t = withoutCamelWrappers(failure);
        Throwable root = root(t);
        return t.getClass().getSimpleName() + ": " + t.getMessage()
                + (root == t ? "" : " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")");
    }
}
