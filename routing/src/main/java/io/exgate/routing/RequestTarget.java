package io.exgate.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * The request target of an HTTP request, reduced to a normalised path and the raw query.
 * Absolute-form targets ({@code POST https://host/mapi/...}) are accepted and only their path is
 * kept: the host inside them never decides where exgate connects.
 *
 * @param path  the normalised path
 * @param query the raw query without its {@code ?}, or {@code null} when there is none
 */
public record RequestTarget(NormalizedPath path, String query) {

    /** The origin-form target to send to a backend. */
    public String originForm() {
        return query == null ? path.value() : path.value() + '?' + query;
    }

    public static RequestTarget parse(String raw) throws BadRequestTargetException {
        if (raw == null || raw.isEmpty()) {
            throw new BadRequestTargetException("empty request target");
        }
        String target = raw;
        if (target.charAt(0) != '/') {
            target = stripSchemeAndAuthority(target);
        }
        if (target.indexOf('#') >= 0) {
            throw new BadRequestTargetException("fragment in request target");
        }
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        if (query != null) {
            checkQuery(query);
        }
        return new RequestTarget(normalize(rawPath), query);
    }

    private static String stripSchemeAndAuthority(String target) throws BadRequestTargetException {
        int scheme = target.indexOf("://");
        if (!((scheme == 4 && target.regionMatches(true, 0, "http", 0, 4)) || (scheme == 5 && target.regionMatches(true, 0, "https", 0, 5)))) {
            throw new BadRequestTargetException("request target is neither origin-form nor absolute-form");
        }
        int start = scheme + 3;
        for (int i = start; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '/' || c == '?') {
                return c == '/' ? target.substring(i) : "/" + target.substring(i);
            }
        }
        return "/";
    }

    private static void checkQuery(String query) throws BadRequestTargetException {
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new BadRequestTargetException("invalid character in query");
            }
        }
    }

    /** Normalises a raw path (RFC 3986 section 6.2.2) and refuses what could mean two things. */
    public static NormalizedPath normalize(String rawPath) throws BadRequestTargetException {
        if (isAlreadyNormal(rawPath)) {
            return new NormalizedPath(rawPath); // the usual client path: nothing to decode, split or rebuild
        }
        return normalizeFully(rawPath);
    }

    /** The whole normalisation, without the shortcut for paths that are normal already (tests compare the two). */
    static NormalizedPath normalizeFully(String rawPath) throws BadRequestTargetException {
        String decoded = decodeUnreserved(rawPath);
        List<String> segments = new ArrayList<>();
        String[] parts = decoded.split("/", -1);
        boolean trailingSlash = decoded.endsWith("/");
        for (int i = 0; i < parts.length; i++) {
            String s = parts[i];
            boolean last = i == parts.length - 1;
            if (s.isEmpty()) {
                continue;
            }
            if (s.equals(".")) {
                trailingSlash |= last;
                continue;
            }
            if (s.equals("..")) {
                if (segments.isEmpty()) {
                    throw new BadRequestTargetException("path climbs above the root");
                }
                segments.remove(segments.size() - 1);
                trailingSlash |= last;
                continue;
            }
            segments.add(s);
        }
        StringBuilder out = new StringBuilder(decoded.length() + 1);
        for (String s : segments) {
            out.append('/').append(s);
        }
        if (segments.isEmpty() || trailingSlash) {
            out.append('/');
        }
        return new NormalizedPath(out.toString());
    }

    /**
     * True for a path normalisation would return unchanged: rooted, plain visible ASCII, no percent
     * sign or backslash, and no empty, "." or ".." segment (no '/' followed by '/' or '.').
     */
    private static boolean isAlreadyNormal(String raw) {
        int n = raw.length();
        if (n == 0 || raw.charAt(0) != '/') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = raw.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '%' || c == '\\') {
                return false;
            }
            if (c == '/' && i + 1 < n && (raw.charAt(i + 1) == '/' || raw.charAt(i + 1) == '.')) {
                return false;
            }
        }
        return true;
    }

    private static String decodeUnreserved(String raw) throws BadRequestTargetException {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new BadRequestTargetException("truncated percent-encoding in path");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new BadRequestTargetException("invalid percent-encoding in path");
                }
                char d = (char) (hi << 4 | lo);
                if (d == '/' || d == '\\' || d == '%' || d < 0x20 || d == 0x7f) {
                    // An encoded slash, backslash, percent or control character would be read differently
                    // by different servers: the root of path-confusion attacks.
                    throw new BadRequestTargetException("encoded '/', '\\', '%' or control character in path");
                }
                if (isUnreserved(d)) {
                    out.append(d);
                } else {
                    out.append('%').append(Character.toUpperCase(raw.charAt(i + 1))).append(Character.toUpperCase(raw.charAt(i + 2)));
                }
                i += 2;
            } else if (c == '\\') {
                throw new BadRequestTargetException("backslash in path");
            } else if (c <= 0x20 || c >= 0x7f) {
                throw new BadRequestTargetException("invalid character in path");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
