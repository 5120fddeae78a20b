package dev.sentinelrelay.tls;

import javax.net.ssl.SSLException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import java.util.Optional;

/**
 * Names what went wrong in a failed TLS connection the way an operator fixes it: the JDK words each failure
 * differently and wraps it in the client's exceptions ("Failed to create socket.").
 */
public final class TlsFailure {

    private TlsFailure() {
    }

    /** "TLS: &lt;reason&gt;" when the failure (or one of its causes) is a TLS failure; empty otherwise. */
    public static Optional<String> describe(Throwable failure) {
        boolean tls = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return reason("server certificate expired (" + t.getMessage() + ")");
            }
            if (t instanceof CertificateNotYetValidException) {
                return reason("server certificate not yet valid (" + t.getMessage() + ")");
            }
            if (t instanceof CertPathValidatorException v && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return reason("server certificate expired");
            }
            tls |= t instanceof SSLException;
            String message = String.valueOf(t.getMessage());
            String lower = message.toLowerCase(Locale.ROOT);
            if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
                return reason("hostname mismatch: " + message);
            }
            if (lower.contains("unable to find valid certification path") || lower.contains("pkix path building failed")) {
                return reason("server certificate not trusted (not signed by a CA of relay.tls.ca-file)");
            }
            if (tls && (lower.contains("certificate_required") || lower.contains("bad_certificate")
                    || lower.contains("handshake_failure"))) {
                return reason("the server refused the handshake (" + message
                        + "): it requires a client certificate (relay.tls.cert-file) that it trusts");
            }
        }
        return tls ? reason(rootMessage(failure)) : Optional.empty();
    }

    /** The failure as the API and the log show it: the TLS reason when it is one, else its own message. */
    public static String message(Throwable failure) {
        return describe(failure).orElse(String.valueOf(failure.getMessage()));
    }

    private static Optional<String> reason(String text) {
        return Optional.of("TLS: " + text);
    }

    private static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
