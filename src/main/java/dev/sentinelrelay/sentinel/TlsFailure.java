package dev.sentinelrelay.sentinel;

import javax.net.ssl.SSLException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Names what went wrong in a failed TLS connection the way an operator fixes it: the JDK words each failure
 * differently and wraps it in the client's exceptions ("Failed to create socket.").
 */
public final class TlsFailure {

    /** One wording whether the alert or only the closed connection reached the client: logged once per server. */
    private static final String CLIENT_CERTIFICATE =
            "the server refused the connection: it requires a client certificate it trusts (relay.tls.cert-file)";

    private TlsFailure() {
    }

    /**
     * "TLS: &lt;reason&gt;" when the failure is a TLS failure; empty otherwise.
     *
     * @param overTls the connection was a TLS one. With TLS 1.3 a server that refuses the client's certificate (or
     *                its lack of one) does so after the client's side of the handshake is done: the client then
     *                often sees only the closed connection (broken pipe, reset, end of stream), not the alert.
     */
    public static Optional<String> describe(Throwable failure, boolean overTls) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        boolean tls = overTls || chain.stream().anyMatch(SSLException.class::isInstance);
        if (!tls) {
            return Optional.empty();
        }
        Collections.reverse(chain); // the deepest cause words it best
        for (Throwable t : chain) {
            if (t instanceof CertificateExpiredException) {
                return reason("server certificate expired (" + t.getMessage() + ")");
            }
            if (t instanceof CertificateNotYetValidException) {
                return reason("server certificate not yet valid (" + t.getMessage() + ")");
            }
            if (t instanceof CertPathValidatorException v && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return reason("server certificate expired");
            }
            String message = String.valueOf(t.getMessage());
            String lower = message.toLowerCase(Locale.ROOT);
            if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
                return reason("hostname mismatch: " + message);
            }
            if (lower.contains("unable to find valid certification path") || lower.contains("pkix path building failed")) {
                return reason("server certificate not trusted (not signed by a CA of relay.tls.ca-file)");
            }
            if (lower.contains("certificate_required") || lower.contains("bad_certificate")
                    || lower.contains("unknown_ca") || lower.contains("handshake_failure")) {
                return reason(CLIENT_CERTIFICATE);
            }
            if (lower.contains("broken pipe") || lower.contains("connection reset") || lower.contains("end of stream")) {
                return reason(CLIENT_CERTIFICATE);
            }
        }
        Throwable root = chain.get(0);
        return chain.stream().anyMatch(SSLException.class::isInstance)
                ? reason(root.getClass().getSimpleName() + ": " + root.getMessage()) : Optional.empty();
    }

    private static Optional<String> reason(String text) {
        return Optional.of("TLS: " + text);
    }
}
