package io.exgate.proxy.http;

import io.vertx.core.MultiMap;
import java.util.Locale;

/**
 * NTLM and Negotiate authenticate a TCP connection, not a request: the challenge, the answer and
 * every later request must travel on one backend connection. Basic and Bearer are per request.
 */
final class ConnectionBoundAuth {
    private ConnectionBoundAuth() {
    }

    /** The scheme of an Authorization header ({@code NTLM}, {@code Negotiate}, {@code Basic}, ...), or null. */
    static String scheme(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return null;
        }
        String s = authorization.strip();
        int space = s.indexOf(' ');
        return space < 0 ? s : s.substring(0, space);
    }

    /** True when the request carries an NTLM or Negotiate token. */
    static boolean requested(String authorization) {
        return isBound(scheme(authorization));
    }

    /** True when a backend answer offers NTLM or Negotiate (the first leg of a handshake). */
    static boolean offered(int status, MultiMap headers) {
        if (status != 401) {
            return false;
        }
        for (String value : headers.getAll("WWW-Authenticate")) {
            for (String part : value.split(",")) {
                if (isBound(scheme(part))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isBound(String scheme) {
        if (scheme == null) {
            return false;
        }
        String s = scheme.toLowerCase(Locale.ROOT);
        return s.equals("ntlm") || s.equals("negotiate");
    }
}
