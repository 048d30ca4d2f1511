package io.exgate.tls;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.Certificate;
import java.util.Base64;
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
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A certificate chain and its private key, read and checked once (the chain parses, the key parses,
 * the key belongs to the first certificate) and held in the PEM form the TLS engines take: the chain
 * as read, the key as unencrypted PKCS#8. Sources: PEM files (PKCS#8 or PKCS#1, RSA or EC, encrypted
 * with a passphrase or not) or a PKCS#12/PFX file as Windows exports it.
 */
public record PemCertificate(Path certFile, Path keyFile, List<X509Certificate> chain, Buffer certPem, Buffer keyPem) {

    /** Bouncy Castle for decrypting OpenSSL-style encrypted keys; not installed JVM-wide. */
    private static final Provider BC = new BouncyCastleProvider();

    public PemCertificate {
        chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public static PemCertificate load(Path certFile, Path keyFile) throws CertificateLoadException {
        return load(certFile, keyFile, null);
    }

    /** PEM files; {@code keyPassword} decrypts an encrypted key (null when it is not encrypted). */
    public static PemCertificate load(Path certFile, Path keyFile, char[] keyPassword) throws CertificateLoadException {
        byte[] certBytes = read(certFile, "certificate");
        byte[] keyBytes = read(keyFile, "key");
        List<X509Certificate> chain = parseChain(certFile, certBytes);
        PrivateKey key = parseKey(keyFile, keyBytes, keyPassword);
        checkPair(certFile, keyFile, chain.get(0).getPublicKey(), key);
        return new PemCertificate(certFile, keyFile, chain, Buffer.buffer(certBytes), pkcs8(key));
    }

    /** A PKCS#12/PFX file with its password: the first key entry and its chain. */
    public static PemCertificate loadPkcs12(Path pfx, char[] password) throws CertificateLoadException {
        byte[] bytes = read(pfx, "PFX");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new java.io.ByteArrayInputStream(bytes), password);
            for (String alias : java.util.Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    PrivateKey key = (PrivateKey) store.getKey(alias, password);
                    List<X509Certificate> chain = new ArrayList<>();
                    for (Certificate c : store.getCertificateChain(alias)) {
                        chain.add((X509Certificate) c);
                    }
                    checkPair(pfx, pfx, chain.get(0).getPublicKey(), key);
                    StringBuilder pem = new StringBuilder();
                    for (X509Certificate c : chain) {
                        pem.append(pemBlock("CERTIFICATE", c.getEncoded()));
                    }
                    return new PemCertificate(pfx, pfx, chain, Buffer.buffer(pem.toString()), pkcs8(key));
                }
            }
            throw new CertificateLoadException("PFX file " + pfx + " holds no private key");
        } catch (IOException e) {
            throw new CertificateLoadException("PFX file " + pfx + " cannot be opened (wrong password or not a PFX file): "
                    + e.getMessage(), e);
        } catch (java.security.GeneralSecurityException e) {
            throw new CertificateLoadException("PFX file " + pfx + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static Buffer pkcs8(PrivateKey key) {
        return Buffer.buffer(pemBlock("PRIVATE KEY", key.getEncoded()));
    }

    private static String pemBlock(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
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

    private static PrivateKey parseKey(Path file, byte[] bytes, char[] password) throws CertificateLoadException {
        try (PEMParser parser = new PEMParser(new StringReader(new String(bytes, StandardCharsets.US_ASCII)))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                    needPassword(file, password);
                    try {
                        return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(
                                new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(password)));
                    } catch (org.bouncycastle.operator.OperatorCreationException | org.bouncycastle.pkcs.PKCSException e) {
                        throw new CertificateLoadException("key file " + file + " cannot be decrypted (wrong key-password?)", e);
                    }
                }
                if (o instanceof PEMEncryptedKeyPair encrypted) {
                    needPassword(file, password);
                    try {
                        return converter.getKeyPair(encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC)
                                .build(password))).getPrivate();
                    } catch (IOException e) {
                        throw new CertificateLoadException("key file " + file + " cannot be decrypted (wrong key-password?)", e);
                    }
                }
            }
            throw new CertificateLoadException("key file " + file + " holds no PEM private key (PKCS#8 'PRIVATE KEY' or PKCS#1 'RSA PRIVATE KEY')");
        } catch (IOException e) {
            throw new CertificateLoadException("key file " + file + " is not a valid PEM private key: " + e.getMessage(), e);
        }
    }

    private static void needPassword(Path file, char[] password) throws CertificateLoadException {
        if (password == null) {
            throw new CertificateLoadException("key file " + file + " is encrypted: give its passphrase as key-password");
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
