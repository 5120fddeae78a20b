package dev.sentinelrelay.tls;

import dev.sentinelrelay.sentinel.TlsFailure;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PEM parsing and real handshakes on loopback with certificates openssl made for this test. */
class PemTlsTest {

    private final TestCertificates certs = TestCertificates.shared();
    private final Path dir = certs.dir;

    @Test
    void readsEveryCertificateOfABundle() throws IOException {
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, Files.readString(certs.ca.cert()) + "\n" + Files.readString(certs.otherCa.cert()));
        assertEquals(2, PemTls.certificates(bundle).size());
        assertEquals("CN=ca", PemTls.certificates(certs.ca.cert()).get(0).getSubjectX500Principal().getName());
    }

    @Test
    void readsPkcs8EcAndRsaKeysAndPkcs1RsaKeys() {
        assertEquals("EC", PemTls.privateKey(certs.client.key()).getAlgorithm());
        Path pkcs8 = dir.resolve("rsa-pkcs8.key");
        Path pkcs1 = dir.resolve("rsa-pkcs1.key");
        certs.openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pkcs8.toString());
        certs.openssl("rsa", "-in", pkcs8.toString(), "-traditional", "-out", pkcs1.toString());
        assertEquals("RSA", PemTls.privateKey(pkcs8).getAlgorithm());
        assertEquals(PemTls.privateKey(pkcs8), PemTls.privateKey(pkcs1), "PKCS#1 is the same key, wrapped into PKCS#8");
    }

    @Test
    void refusesAnEncryptedKeySayingSo() {
        Path encrypted = dir.resolve("encrypted.key");
        certs.openssl("pkcs8", "-topk8", "-in", certs.client.key().toString(), "-passout", "pass:secret",
                "-out", encrypted.toString());
        assertTrue(failure(() -> PemTls.privateKey(encrypted)).contains("encrypted key"));
    }

    @Test
    void refusesFilesThatAreNotWhatTheyShouldBe() throws IOException {
        assertTrue(failure(() -> PemTls.certificates(dir.resolve("missing.pem"))).contains("is not readable"));
        assertTrue(failure(() -> PemTls.certificates(certs.client.key())).contains("holds no PEM certificate"));
        assertTrue(failure(() -> PemTls.privateKey(certs.client.cert())).contains("exactly one PEM private key, found 0"));
        Path damaged = dir.resolve("damaged.pem");
        Files.writeString(damaged, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertTrue(failure(() -> PemTls.certificates(damaged)).contains("invalid certificate"));
    }

    @Test
    void refusesAKeyThatIsNotTheCertificates() {
        String why = failure(() -> PemTls.checkPair(PemTls.certificates(certs.client.cert()).get(0),
                PemTls.privateKey(certs.server.key())));
        assertTrue(why.contains("is not the private key of the certificate CN=client"), why);
    }

    @Test
    void mutualTlsWithTheRightFilesConnects() throws Exception {
        assertEquals("connected", handshake(certs.server, true, client(true, true)));
    }

    @Test
    void anIpAddressMatchesOnlyAnIpSan() throws Exception {
        String why = handshake(certs.wrongName, false, client(false, true));
        assertTrue(why.startsWith("TLS: hostname mismatch: No subject alternative names matching IP address 127.0.0.1"), why);
        assertEquals("connected", handshake(certs.wrongName, false, client(false, false)), "not verified when turned off");
    }

    @Test
    void namesEachFailureTheWayAnOperatorFixesIt() throws Exception {
        assertEquals("TLS: server certificate not trusted (not signed by a CA of relay.tls.ca-file)",
                handshake(certs.untrusted, false, client(false, true)));
        String expired = handshake(certs.expired, false, client(false, true));
        assertTrue(expired.startsWith("TLS: server certificate expired"), expired);
        String noClientCertificate = handshake(certs.server, true, client(false, true));
        assertTrue(noClientCertificate.contains("requires a client certificate"), noClientCertificate);
    }

    @Test
    void aFailureThatIsNotTlsIsNotNamedTls() {
        assertTrue(TlsFailure.describe(new IOException("Connection refused"), false).isEmpty());
        assertTrue(TlsFailure.describe(new IOException("Connection refused"), true).isEmpty(), "over TLS neither");
    }

    /** TLS 1.3: the client's write can meet the server's close before the client reads the server's alert. */
    @Test
    void aConnectionClosedRightAfterTheHandshakeIsAboutTheClientCertificate() {
        String why = TlsFailure.describe(new IOException("wrapped", new java.net.SocketException("Broken pipe")), true)
                .orElseThrow();
        assertEquals("TLS: the server refused the connection: it requires a client certificate it trusts"
                + " (relay.tls.cert-file)", why);
        assertTrue(TlsFailure.describe(new java.net.SocketException("Broken pipe"), false).isEmpty(), "not over TLS");
    }

    private ClientTls client(boolean withCertificate, boolean verifyHostname) {
        SSLContext context = PemTls.context(PemTls.certificates(certs.ca.cert()),
                withCertificate ? PemTls.certificates(certs.client.cert()) : null,
                withCertificate ? PemTls.privateKey(certs.client.key()) : null);
        return new ClientTls(context, verifyHostname);
    }

    /**
     * A handshake with a server on loopback that presents {@code server} and trusts the CA, then one byte each way
     * (TLS 1.3 tells a missing client certificate only after the client's side of the handshake). Returns
     * "connected" or what {@link TlsFailure} makes of the client's failure.
     */
    private String handshake(TestCertificates.Pair server, boolean needClientAuth, ClientTls client) throws Exception {
        SSLContext serverContext = PemTls.context(PemTls.certificates(certs.ca.cert()),
                PemTls.certificates(server.cert()), PemTls.privateKey(server.key()));
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, loopback)) {
            listener.setNeedClientAuth(needClientAuth);
            CompletableFuture<Void> serverSide = CompletableFuture.runAsync(() -> {
                try (Socket s = listener.accept()) {
                    s.setSoTimeout(5000);
                    s.getOutputStream().write(1);
                    s.getInputStream().read();
                } catch (IOException e) {
                    // the client's side is what the test looks at
                }
            });
            try (Socket plain = new Socket(loopback, listener.getLocalPort());
                 SSLSocket socket = (SSLSocket) client.socketFactory().createSocket(plain, "127.0.0.1",
                         listener.getLocalPort(), true)) {
                socket.setSSLParameters(client.parameters());
                socket.setSoTimeout(5000);
                socket.startHandshake();
                assertEquals(1, socket.getInputStream().read());
                socket.getOutputStream().write(2);
                return "connected";
            } catch (IOException e) {
                return TlsFailure.describe(e, true).orElse("not a TLS failure: " + e);
            } finally {
                serverSide.get();
            }
        }
    }

    private static String failure(Runnable parse) {
        return assertThrows(IllegalArgumentException.class, parse::run).getMessage();
    }
}
