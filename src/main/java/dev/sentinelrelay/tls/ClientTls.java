package dev.sentinelrelay.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;

/**
 * How the relay opens TLS connections to sentinels or Redis servers: the context built from the PEM files and
 * whether the server's certificate must name the host connected to (a DNS name its DNS SANs, an IP address its IP
 * SANs: the JDK's HTTPS rules).
 */
public record ClientTls(SSLContext context, boolean verifyHostname) {

    public SSLSocketFactory socketFactory() {
        return context.getSocketFactory();
    }

    /** Set on every socket: null fields leave the JDK's protocols and cipher suites as they are. */
    public SSLParameters parameters() {
        SSLParameters parameters = new SSLParameters();
        if (verifyHostname) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        return parameters;
    }
}
