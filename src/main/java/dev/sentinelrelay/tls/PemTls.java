package dev.sentinelrelay.tls;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds an {@link SSLContext} from PEM files as Redis and HAProxy use them, with the JDK alone.
 * Supported: X.509 certificates ({@code CERTIFICATE} blocks; a CA file may hold several, a client certificate
 * file its chain), private keys unencrypted in PKCS#8 ({@code PRIVATE KEY}: RSA, EC, Ed25519) or PKCS#1
 * ({@code RSA PRIVATE KEY}, what {@code openssl genrsa} of OpenSSL 1.x writes). Not supported, with a message
 * saying so: encrypted keys, SEC1 {@code EC PRIVATE KEY}. Every failure is an {@link IllegalArgumentException}
 * whose message is one line an operator can act on.
 */
public final class PemTls {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** AlgorithmIdentifier of rsaEncryption, to wrap a PKCS#1 key into PKCS#8. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemTls() {
    }

    /**
     * @param cas   trusted CA certificates; null for the JDK's trust store
     * @param chain own certificate (and its chain), a client certificate for mutual TLS; null for none (then {@code key} is null too)
     * @param key   the client certificate's private key (see {@link #checkPair})
     */
    public static SSLContext context(List<X509Certificate> cas, List<X509Certificate> chain, PrivateKey key) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(cas == null ? null : trustStore(cas));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(chain == null ? null : keyManagers(chain, key), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /** What presents {@code chain} (its first certificate first) with {@code key} in a handshake. */
    public static KeyManager[] keyManagers(List<X509Certificate> chain, PrivateKey key) throws GeneralSecurityException {
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keyStore(chain, key), new char[0]);
        return factory.getKeyManagers();
    }

    /** Every certificate in a PEM file, in order; at least one. */
    public static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(file)) {
                if (block.type.equals("CERTIFICATE")) {
                    out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der)));
                }
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " holds an invalid certificate: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    /** The one private key of a PEM file. */
    public static PrivateKey privateKey(Path file) {
        List<Block> keys = blocks(file).stream().filter(b -> b.type.endsWith("PRIVATE KEY")).toList();
        if (keys.size() != 1) {
            throw new IllegalArgumentException(file + " must hold exactly one PEM private key, found " + keys.size());
        }
        Block key = keys.get(0);
        return switch (key.type) {
            case "PRIVATE KEY" -> pkcs8(file, key.der);
            case "RSA PRIVATE KEY" -> pkcs8(file, pkcs1ToPkcs8(key.der));
            case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(file
                    + " holds an encrypted key; write it unencrypted (openssl pkcs8 -topk8 -nocrypt) and protect the file");
            default -> throw new IllegalArgumentException(file + " holds a " + key.type
                    + ", which is not supported; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
        };
    }

    /** The key must be the certificate's: otherwise every handshake would fail later with an obscure alert. */
    public static void checkPair(X509Certificate cert, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        byte[] probe = "sentinel-relay".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            matches = verify.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new IllegalArgumentException("is not the private key of the certificate " + cert.getSubjectX500Principal());
        }
    }

    private static PrivateKey pkcs8(Path file, byte[] der) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next one
            }
        }
        throw new IllegalArgumentException(file + " holds no valid RSA, EC or EdDSA private key");
    }

    /** PrivateKeyInfo ::= SEQUENCE { INTEGER 0, AlgorithmIdentifier rsaEncryption, OCTET STRING pkcs1 }. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = tlv(0x04, pkcs1);
        byte[] body = new byte[version.length + RSA_ALGORITHM.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(RSA_ALGORITHM, 0, body, version.length, RSA_ALGORITHM.length);
        System.arraycopy(octets, 0, body, version.length + RSA_ALGORITHM.length, octets.length);
        return tlv(0x30, body);
    }

    /** One DER tag-length-value, the length in short or long form. */
    private static byte[] tlv(int tag, byte[] value) {
        byte[] length = value.length < 0x80 ? new byte[]{(byte) value.length}
                : withLengthPrefix(BigInteger.valueOf(value.length).toByteArray());
        byte[] out = new byte[1 + length.length + value.length];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(value, 0, out, 1 + length.length, value.length);
        return out;
    }

    private static byte[] withLengthPrefix(byte[] bigEndian) {
        int start = bigEndian[0] == 0 ? 1 : 0; // BigInteger's sign byte
        int n = bigEndian.length - start;
        byte[] out = new byte[1 + n];
        out[0] = (byte) (0x80 | n);
        System.arraycopy(bigEndian, start, out, 1, n);
        return out;
    }

    private static KeyStore trustStore(List<X509Certificate> cas) throws GeneralSecurityException {
        KeyStore store = emptyStore();
        for (int i = 0; i < cas.size(); i++) {
            store.setCertificateEntry("ca-" + i, cas.get(i));
        }
        return store;
    }

    private static KeyStore keyStore(List<X509Certificate> chain, PrivateKey key) throws GeneralSecurityException {
        KeyStore store = emptyStore();
        store.setKeyEntry("client", key, new char[0], chain.toArray(X509Certificate[]::new));
        return store;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e); // loading nothing reads nothing
        }
        return store;
    }

    private record Block(String type, byte[] der) {
    }

    private static List<Block> blocks(Path file) {
        String text;
        try {
            // Latin-1 reads any byte: a DER or binary file ends as "holds no PEM ..." rather than a decoding error
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not readable: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " holds a damaged PEM block " + m.group(1), e);
            }
        }
        return out;
    }
}
