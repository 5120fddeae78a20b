package dev.sentinelrelay.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.sentinelrelay.tls.PemTls;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A CA file and an optional client certificate with its key, under {@code <prefix>ca-file}, {@code <prefix>cert-file}
 * and {@code <prefix>key-file}: each file read and checked at start-up, a failure naming its key.
 *
 * @param cas   null: the JDK's trust store
 * @param chain null: no client certificate (then {@code key} is null too)
 */
public record PemFiles(String description, List<X509Certificate> cas, List<X509Certificate> chain, PrivateKey key) {

    /** @param optional a key's value, null when not set */
    static PemFiles read(Function<String, String> optional, String prefix) {
        String caKey = prefix + "ca-file";
        String certKey = prefix + "cert-file";
        String keyKey = prefix + "key-file";
        String ca = optional.apply(caKey);
        String cert = optional.apply(certKey);
        String key = optional.apply(keyKey);
        if ((cert == null) != (key == null)) {
            throw new ConfigException(cert == null ? certKey : keyKey,
                    "is required when " + (cert == null ? keyKey : certKey) + " is set");
        }
        List<X509Certificate> cas = ca == null ? null : checked(caKey, () -> PemTls.certificates(Path.of(ca)));
        if (cert == null) {
            return new PemFiles("CA " + (ca == null ? "JDK trust store" : ca) + ", no client certificate", cas, null, null);
        }
        List<X509Certificate> chain = checked(certKey, () -> PemTls.certificates(Path.of(cert)));
        X509Certificate leaf = chain.get(0);
        checked(certKey, () -> {
            try {
                leaf.checkValidity();
                return leaf;
            } catch (CertificateException e) {
                throw new IllegalArgumentException(cert + " is not valid now: " + e.getMessage(), e);
            }
        });
        PrivateKey privateKey = checked(keyKey, () -> PemTls.privateKey(Path.of(key)));
        checked(keyKey, () -> {
            PemTls.checkPair(leaf, privateKey);
            return privateKey;
        });
        return new PemFiles("CA " + (ca == null ? "JDK trust store" : ca) + ", client certificate " + cert,
                cas, chain, privateKey);
    }

    public SSLContext context() {
        return PemTls.context(cas, chain, key);
    }

    private static <T> T checked(String key, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
    }

    /** What /api/configuration shows: the files, never the key. */
    @JsonValue
    @Override
    public String toString() {
        return description;
    }
}
