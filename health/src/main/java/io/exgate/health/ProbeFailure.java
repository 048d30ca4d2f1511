package io.exgate.health;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** Turns what went wrong during a probe into the short reason operators read in logs and the API. */
final class ProbeFailure {

    private ProbeFailure() {
    }

    static String timeout(long timeoutMs) {
        return "timeout after " + timeoutMs + " ms";
    }

    static String reason(Throwable failure, String host, long timeoutMs) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            String lower = message.toLowerCase(Locale.ROOT);
            if (t instanceof UnknownHostException) {
                return "DNS: " + host + " does not resolve";
            }
            if (t instanceof TimeoutException || lower.contains("timed out") || lower.contains("timeout period")) {
                return timeout(timeoutMs);
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof ConnectException) {
                return lower.contains("refused") ? "connection refused" : "connect failed: " + Printable.of(message, 120);
            }
            if (t instanceof SSLException) {
                return "TLS: " + Printable.of(message.isEmpty() ? t.getClass().getSimpleName() : message, 160);
            }
            if (t instanceof HttpClosedException) {
                return "connection reset (closed before the response)";
            }
            if (t instanceof StreamResetException || lower.contains("connection reset") || lower.contains("broken pipe")) {
                return "connection reset";
            }
        }
        String message = failure.getMessage();
        return Printable.of(failure.getClass().getSimpleName() + (message == null ? "" : ": " + message), 160);
    }
}
