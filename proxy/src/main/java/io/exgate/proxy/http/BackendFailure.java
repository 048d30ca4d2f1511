package io.exgate.proxy.http;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** What went wrong with a backend, as a status for the client and a phrase for the log. */
record BackendFailure(int status, String reason, String phrase) {

    static BackendFailure of(Throwable t) {
        if (t instanceof ConnectTimeoutException || t instanceof TimeoutException) {
            return new BackendFailure(504, "Gateway Timeout", "connect timed out");
        }
        if (t instanceof ConnectException) {
            return new BackendFailure(502, "Bad Gateway", "connection refused");
        }
        if (t instanceof UnknownHostException) {
            return new BackendFailure(502, "Bad Gateway", "host name does not resolve");
        }
        if (t instanceof SSLException || (t.getCause() instanceof SSLException)) {
            return new BackendFailure(502, "Bad Gateway", "TLS handshake failed: " + t.getMessage());
        }
        if (t instanceof HttpClosedException) {
            return new BackendFailure(502, "Bad Gateway", "connection closed before a complete answer");
        }
        return new BackendFailure(502, "Bad Gateway", String.valueOf(t.getMessage()));
    }

    /** True when the failure came before any byte of the request was sent (connecting, resolving, TLS). */
    static boolean beforeSending(Throwable t) {
        return t instanceof ConnectException || t instanceof UnknownHostException || t instanceof SSLException
                || t.getCause() instanceof SSLException;
    }

    static BackendFailure idle(long idleMillis) {
        return new BackendFailure(504, "Gateway Timeout", "no answer within the idle timeout of " + idleMillis + " ms");
    }
}
