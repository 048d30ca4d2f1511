package io.exgate.proxy.probe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** What the server's chain is verified against: the JDK's trust store, a CA file, or nothing (--insecure). */
final class CertificateTrust {
    private final String description;
    private final Optional<X509TrustManager> verifier;

    private CertificateTrust(String description, Optional<X509TrustManager> verifier) {
        this.description = description;
        this.verifier = verifier;
    }

    static CertificateTrust jdkStore() throws GeneralSecurityException {
        return new CertificateTrust("the JDK trust store", Optional.of(trustManager(null)));
    }

    static CertificateTrust caFile(Path file) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(file)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + file);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate c : certs) {
            store.setCertificateEntry("ca-" + i++, c);
        }
        return new CertificateTrust("CA file " + file, Optional.of(trustManager(store)));
    }

    static CertificateTrust insecure() {
        return new CertificateTrust("not verified (--insecure)", Optional.empty());
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("the JDK offers no X.509 trust manager");
    }

    String description() {
        return description;
    }

    /** Empty with --insecure. */
    Optional<X509TrustManager> verifier() {
        return verifier;
    }
}
