package io.exgate.proxy.probe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.jcajce.JcaBasicOCSPRespBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A front door that staples OCSP, as the JDK's TLS server does when asked: a lab CA, a leaf whose
 * AIA names a loopback OCSP responder (answering "good"), and an HTTPS server presenting both.
 */
final class StaplingFrontDoor implements AutoCloseable {
    private final HttpServer responder;
    private final HttpsServer front;
    private final Path caFile;
    final AtomicInteger ocspRequests = new AtomicInteger();

    StaplingFrontDoor(Path dir, String host) throws Exception {
        responder = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String ocspUrl = "http://127.0.0.1:" + responder.getAddress().getPort() + "/ocsp";

        KeyPair caKeys = ecKeys();
        X500Name caName = new X500Name("CN=exgate probe test CA");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, Date.from(now.minusSeconds(3600)),
                Date.from(now.plus(Duration.ofDays(365))), caName, caKeys.getPublic());
        ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        ContentSigner caSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate());
        X509Certificate caCert = new JcaX509CertificateConverter().getCertificate(ca.build(caSigner));

        KeyPair leafKeys = ecKeys();
        JcaX509v3CertificateBuilder leaf = new JcaX509v3CertificateBuilder(caName, BigInteger.TWO, Date.from(now.minusSeconds(3600)),
                Date.from(now.plus(Duration.ofDays(90))), new X500Name("CN=" + host), leafKeys.getPublic());
        leaf.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
        leaf.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                new AccessDescription(AccessDescription.id_ad_ocsp, new GeneralName(GeneralName.uniformResourceIdentifier, ocspUrl))));
        X509Certificate leafCert = new JcaX509CertificateConverter().getCertificate(leaf.build(caSigner));

        caFile = dir.resolve("stapling-ca.pem");
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
            w.writeObject(caCert);
        }
        Files.writeString(caFile, pem.toString(), StandardCharsets.US_ASCII);

        X509CertificateHolder caHolder = new JcaX509CertificateHolder(caCert);
        responder.createContext("/ocsp", exchange -> answerOcsp(exchange, caHolder, caKeys, caSigner));
        responder.start();

        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("front", leafKeys.getPrivate(), new char[0], new Certificate[] {leafCert, caCert});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        SSLContext context = serverContextThatStaples();
        context.init(keys.getKeyManagers(), null, null);
        front = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        front.setHttpsConfigurator(new HttpsConfigurator(context));
        front.createContext("/", exchange -> {
            byte[] body = "200 OK<br/>EX2.lab.local".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        front.start();
    }

    /** The JDK reads this property when a context is created; put it back so no other server in this JVM staples. */
    private static SSLContext serverContextThatStaples() throws Exception {
        String property = "jdk.tls.server.enableStatusRequestExtension";
        String before = System.getProperty(property);
        System.setProperty(property, "true");
        try {
            return SSLContext.getInstance("TLS");
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }

    private void answerOcsp(HttpExchange exchange, X509CertificateHolder caHolder, KeyPair caKeys, ContentSigner signer)
            throws IOException {
        ocspRequests.incrementAndGet();
        try {
            byte[] der;
            if ("POST".equals(exchange.getRequestMethod())) {
                der = exchange.getRequestBody().readAllBytes();
            } else {
                String path = exchange.getRequestURI().getRawPath();
                der = Base64.getDecoder().decode(java.net.URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.US_ASCII));
            }
            OCSPReq request = new OCSPReq(der);
            BasicOCSPRespBuilder builder = new JcaBasicOCSPRespBuilder(caKeys.getPublic(),
                    new JcaDigestCalculatorProviderBuilder().build().get(RespID.HASH_SHA1));
            Date thisUpdate = new Date();
            Date nextUpdate = Date.from(Instant.now().plus(Duration.ofDays(1)));
            for (Req r : request.getRequestList()) {
                builder.addResponse(r.getCertID(), CertificateStatus.GOOD, thisUpdate, nextUpdate, null);
            }
            Extension nonce = request.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            if (nonce != null) {
                builder.setResponseExtensions(new Extensions(nonce));
            }
            BasicOCSPResp basic = builder.build(signer, new X509CertificateHolder[] {caHolder}, new Date());
            byte[] body = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
            exchange.getResponseHeaders().add("Content-Type", "application/ocsp-response");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (Exception e) {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        }
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return generator.generateKeyPair();
    }

    int port() {
        return front.getAddress().getPort();
    }

    Path caFile() {
        return caFile;
    }

    @Override
    public void close() {
        front.stop(0);
        responder.stop(0);
    }
}
