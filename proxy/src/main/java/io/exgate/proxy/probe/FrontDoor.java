package io.exgate.proxy.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * Connections to the front door as a client makes them: TCP to the chosen address, then TLS with
 * the host name as SNI. One TLS context for the whole probe, so later connections resume the session.
 */
final class FrontDoor {
    /** Read by the JDK when an SSLContext is created; JDK 17 defaults to true, but a JVM flag may have turned it off. */
    static final String STATUS_REQUEST_PROPERTY = "jdk.tls.client.enableStatusRequestExtension";

    private final Target target;
    private final Duration timeout;
    private final RecordingTrustManager trust;
    private final SSLContext context;

    FrontDoor(Target target, CertificateTrust certificateTrust, Duration timeout) throws GeneralSecurityException {
        this.target = target;
        this.timeout = timeout;
        this.trust = new RecordingTrustManager(certificateTrust);
        System.setProperty(STATUS_REQUEST_PROPERTY, "true");
        this.context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trust}, new SecureRandom());
    }

    Target target() {
        return target;
    }

    Duration timeout() {
        return timeout;
    }

    RecordingTrustManager trust() {
        return trust;
    }

    Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, (int) timeout.toMillis());
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** TLS over a connected socket; closes it when the handshake fails. */
    SSLSocket handshake(Socket tcp) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, target.host(), target.port(), true);
        try {
            SSLParameters parameters = tls.getSSLParameters();
            if (!target.isAddress()) {
                parameters.setServerNames(List.of(new SNIHostName(target.host())));
            }
            // HTTP/1.1 only: NTLM and Negotiate are HTTP/1.1 matters, and the probe speaks nothing else.
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            tls.setSSLParameters(parameters);
            tls.setSoTimeout((int) timeout.toMillis());
            tls.startHandshake();
            return tls;
        } catch (IOException | RuntimeException e) {
            tls.close();
            throw e;
        }
    }

    /** Sends the request on a new connection (resuming the TLS session) and reads the answer's first bytes. */
    Answer send(InetSocketAddress address, WireRequest request) {
        long start = System.nanoTime();
        Socket tcp;
        try {
            tcp = connect(address);
        } catch (IOException e) {
            return new Answer(null, "cannot connect to " + Addresses.text(address) + ": " + failure(e), Elapsed.millisSince(start));
        }
        SSLSocket tls;
        try {
            tls = handshake(tcp);
        } catch (IOException e) {
            return new Answer(null, "TLS handshake failed: " + failure(e), Elapsed.millisSince(start));
        }
        try (tls) {
            WireResponse response = HttpRoundTrip.send(tls, target, request, timeout);
            return new Answer(response, null, response.millis());
        } catch (IOException e) {
            return new Answer(null, failure(e), Elapsed.millisSince(start));
        }
    }

    /** A failure as a sentence, a timeout naming the step's limit. */
    String failure(IOException e) {
        String text = FailureText.of(e);
        return text.equals("timed out") ? "no answer within " + Elapsed.text(timeout) : text;
    }
}
