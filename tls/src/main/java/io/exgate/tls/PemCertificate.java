package io.exgate.tls;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A PEM certificate chain and its private key (PKCS#8 or PKCS#1, RSA or EC), read and checked once:
 * the chain parses, the key parses, and the key belongs to the first certificate.
 */
public record PemCertificate(Path certFile, Path keyFile, List<X509Certificate> chain, Buffer certPem, Buffer keyPem) {

    public PemCertificate {
        chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public static PemCertificate load(Path certFile, Path keyFile) throws CertificateLoadException {
        byte[] certBytes = read(certFile, "certificate");
        byte[] keyBytes = read(keyFile, "key");
        List<X509Certificate> chain = parseChain(certFile, certBytes);
        PrivateKey key = parseKey(keyFile, keyBytes);
        checkPair(certFile, keyFile, chain.get(0).getPublicKey(), key);
        return new PemCertificate(certFile, keyFile, chain, Buffer.buffer(certBytes), Buffer.buffer(keyBytes));
    }

    private static byte[] read(Path file, String what) throws CertificateLoadException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CertificateLoadException(what + " file " + file + " does not exist");
        } catch (IOException e) {
            throw new CertificateLoadException(what + " file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> parseChain(Path file, byte[] bytes) throws CertificateLoadException {
        if (!new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            throw new CertificateLoadException("certificate file " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
                chain.add((X509Certificate) c);
            }
            if (chain.isEmpty()) {
                throw new CertificateLoadException("certificate file " + file + " holds no certificate");
            }
            return chain;
        } catch (CertificateException e) {
            throw new CertificateLoadException("certificate file " + file + " is not a valid PEM certificate chain: " + e.getMessage(), e);
        }
    }

    private static PrivateKey parseKey(Path file, byte[] bytes) throws CertificateLoadException {
        try (PEMParser parser = new PEMParser(new StringReader(new String(bytes, StandardCharsets.US_ASCII)))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (o.getClass().getSimpleName().startsWith("PEMEncrypted") || o.getClass().getSimpleName().contains("EncryptedPrivateKeyInfo")) {
                    throw new CertificateLoadException("key file " + file + " is encrypted; give an unencrypted PKCS#8 or PKCS#1 key");
                }
            }
            throw new CertificateLoadException("key file " + file + " holds no PEM private key (PKCS#8 'PRIVATE KEY' or PKCS#1 'RSA PRIVATE KEY')");
        } catch (IOException e) {
            throw new CertificateLoadException("key file " + file + " is not a valid PEM private key: " + e.getMessage(), e);
        }
    }

    private static void checkPair(Path certFile, Path keyFile, PublicKey pub, PrivateKey key) throws CertificateLoadException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519" -> "Ed25519";
            default -> throw new CertificateLoadException("key file " + keyFile + " holds an unsupported " + key.getAlgorithm() + " key (RSA or EC)");
        };
        try {
            byte[] probe = "exgate key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new CertificateLoadException("key file " + keyFile + " does not belong to the certificate in " + certFile);
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new CertificateLoadException("key file " + keyFile + " does not belong to the certificate in " + certFile + ": " + e.getMessage(), e);
        }
    }
}
