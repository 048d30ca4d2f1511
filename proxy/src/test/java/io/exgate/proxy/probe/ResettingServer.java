package io.exgate.proxy.probe;

import io.exgate.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * What Exchange does when a protocol is out of service: completes TLS, reads the request, then
 * resets the TCP connection (SO_LINGER 0 on the plain socket, so no TLS close_notify goes first).
 */
final class ResettingServer implements AutoCloseable {
    private final ServerSocket listener;
    private final SSLContext context;

    ResettingServer(Path dir, String host) throws Exception {
        SelfSignedCertificate.Written cert = SelfSignedCertificate.write(dir, "reset", List.of(host), java.time.Duration.ofDays(200));
        Certificate certificate;
        try (InputStream in = Files.newInputStream(cert.cert())) {
            certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String pem = Files.readString(cert.key()).replaceAll("-----[A-Z ]+-----|\\s", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("reset", key, new char[0], new Certificate[] {certificate});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "resetting-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket raw = listener.accept();
                Thread t = new Thread(() -> answer(raw), "resetting-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void answer(Socket raw) {
        try {
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, null, false);
            tls.startHandshake();
            InputStream in = tls.getInputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            raw.setSoLinger(true, 0);
        } catch (IOException e) {
            // The probe's first connection ends after the handshake; nothing to answer.
        } finally {
            try {
                raw.close();
            } catch (IOException ignored) {
                // Already gone.
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
