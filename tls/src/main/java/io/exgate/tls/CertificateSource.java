package io.exgate.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where a listener certificate comes from; read again on every reload. */
public sealed interface CertificateSource {

    PemCertificate load() throws CertificateLoadException;

    /** The files whose change triggers a reload. */
    List<Path> files();

    /** PEM chain and key; {@code keyPassword} for an encrypted key, or null. */
    record PemFiles(Path cert, Path key, String keyPassword) implements CertificateSource {
        @Override
        public PemCertificate load() throws CertificateLoadException {
            return PemCertificate.load(cert, key, keyPassword == null ? null : keyPassword.toCharArray());
        }

        @Override
        public List<Path> files() {
            return List.of(cert, key);
        }

        @Override
        public String toString() {
            return cert + " + " + key;
        }
    }

    /**
     * A PKCS#12/PFX file. Its password is given inline, by an environment variable, or by a file (the
     * usual way for secrets mounted by systemd or Kubernetes), and read again on reload.
     */
    record Pkcs12File(Path pfx, String password, String passwordEnv, Path passwordFile) implements CertificateSource {
        @Override
        public PemCertificate load() throws CertificateLoadException {
            return PemCertificate.loadPkcs12(pfx, resolvePassword());
        }

        char[] resolvePassword() throws CertificateLoadException {
            if (password != null) {
                return password.toCharArray();
            }
            if (passwordEnv != null) {
                String v = System.getenv(passwordEnv);
                if (v == null) {
                    throw new CertificateLoadException("environment variable " + passwordEnv + " (the password of " + pfx + ") is not set");
                }
                return v.toCharArray();
            }
            if (passwordFile != null) {
                try {
                    return Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
                } catch (IOException e) {
                    throw new CertificateLoadException("password file " + passwordFile + " cannot be read: " + e.getMessage(), e);
                }
            }
            return new char[0];
        }

        @Override
        public List<Path> files() {
            return passwordFile == null ? List.of(pfx) : List.of(pfx, passwordFile);
        }

        @Override
        public String toString() {
            return pfx.toString();
        }
    }
}
