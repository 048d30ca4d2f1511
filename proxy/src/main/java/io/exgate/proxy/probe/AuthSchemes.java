package io.exgate.proxy.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * The schemes in WWW-Authenticate challenges (RFC 9110 §11.6.1): IIS sends one header line per
 * scheme, other servers a comma-separated list with parameters, e.g. {@code Basic realm="a, b", NTLM}.
 */
final class AuthSchemes {
    private static final List<String> KNOWN = List.of("NTLM", "Negotiate", "Basic", "Bearer", "Digest", "Kerberos");

    private AuthSchemes() {
    }

    static List<String> of(List<String> headerValues) {
        List<String> schemes = new ArrayList<>();
        for (String value : headerValues) {
            for (String element : splitOutsideQuotes(value)) {
                String token = element.trim();
                int space = token.indexOf(' ');
                String first = space < 0 ? token : token.substring(0, space);
                // "realm=x" continues the previous challenge; a scheme is a token without '='.
                if (first.isEmpty() || first.contains("=") || first.contains("\"")
                        || token.substring(first.length()).trim().startsWith("=")) {
                    continue;
                }
                String scheme = canonical(first);
                if (!schemes.contains(scheme)) {
                    schemes.add(scheme);
                }
            }
        }
        return List.copyOf(schemes);
    }

    private static String canonical(String scheme) {
        for (String known : KNOWN) {
            if (known.equalsIgnoreCase(scheme)) {
                return known;
            }
        }
        return scheme;
    }

    private static List<String> splitOutsideQuotes(String value) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < value.length()) {
                current.append(c).append(value.charAt(++i));
                continue;
            }
            if (c == ',' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }
}
