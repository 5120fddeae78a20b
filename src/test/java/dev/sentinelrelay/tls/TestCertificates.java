package dev.sentinelrelay.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Certificates made for one test with openssl (EC P-256 keys, PKCS#8 PEM): a CA; server certificates signed by
 * it with IP SAN 127.0.0.1 (valid, expired, one naming another host); one signed by another CA; a client
 * certificate. Server certificates serve as client certificates too (Redis uses its own for replication and
 * sentinel links), so they carry both extended key usages.
 */
public final class TestCertificates implements AutoCloseable {

    /** A certificate and its key; {@link #combined()} is both in one file, as HAProxy's {@code crt} wants it. */
    public record Pair(Path cert, Path key) {
        public Path combined() {
            Path file = cert.resolveSibling(cert.getFileName() + ".combined.pem");
            try {
                if (!Files.exists(file)) {
                    Files.writeString(file, Files.readString(cert) + Files.readString(key));
                }
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public final Path dir;
    public final Pair ca;
    /** Signed by {@link #ca}, SAN IP 127.0.0.1: what every server of a TLS sandbox uses. */
    public final Pair server;
    /** Signed by {@link #ca}, SAN IP 127.0.0.1, expired yesterday. */
    public final Pair expired;
    /** Signed by {@link #ca}, SAN DNS redis.example and IP 192.0.2.1: not 127.0.0.1. */
    public final Pair wrongName;
    /** Signed by {@link #otherCa}, SAN IP 127.0.0.1: not trusted by a client that trusts {@link #ca}. */
    public final Pair untrusted;
    public final Pair otherCa;
    /** Signed by {@link #ca}: the relay's (and test clients') certificate for mutual TLS. */
    public final Pair client;

    private TestCertificates(Path dir) {
        this.dir = dir;
        ca = selfSigned("ca");
        otherCa = selfSigned("other-ca");
        server = signed("server", ca, "IP:127.0.0.1", 2);
        expired = signed("expired", ca, "IP:127.0.0.1", -1);
        wrongName = signed("wrong-name", ca, "DNS:redis.example,IP:192.0.2.1", 2);
        untrusted = signed("untrusted", otherCa, "IP:127.0.0.1", 2);
        client = signed("client", ca, "DNS:sentinel-relay", 2);
    }

    /** Generates every certificate into {@code dir} (a few hundred milliseconds). */
    public static TestCertificates create(Path dir) {
        return new TestCertificates(dir);
    }

    private static TestCertificates shared;

    /**
     * One set for the whole test JVM, made at the first call and deleted when the JVM exits: for tests that only
     * read the certificates.
     */
    public static synchronized TestCertificates shared() {
        if (shared == null) {
            shared = inTempDir();
            TestCertificates made = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(made::close));
        }
        return shared;
    }

    /** Likewise into a new temp directory that {@link #close()} deletes. */
    public static TestCertificates inTempDir() {
        try {
            return create(Files.createTempDirectory("sentinel-relay-certs-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes the directory and everything in it. */
    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Pair selfSigned(String name) {
        Pair pair = pair(name);
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", pair.key().toString(), "-out", pair.cert().toString(), "-days", "2", "-subj", "/CN=" + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return pair;
    }

    /** @param days negative: expired that many days ago */
    private Pair signed(String name, Pair issuer, String subjectAltName, int days) {
        Pair pair = pair(name);
        Path csr = dir.resolve(name + ".csr");
        Path ext = dir.resolve(name + ".ext");
        write(ext, "subjectAltName=" + subjectAltName + "\nextendedKeyUsage=serverAuth,clientAuth\n");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", pair.key().toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", csr.toString(), "-CA", issuer.cert().toString(), "-CAkey", issuer.key().toString(),
                "-CAcreateserial", "-out", pair.cert().toString(), "-days", String.valueOf(days), "-extfile", ext.toString());
        return pair;
    }

    private Pair pair(String name) {
        return new Pair(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs openssl in {@link #dir}; fails with its output unless it exits 0 within 30 s. */
    public void openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
