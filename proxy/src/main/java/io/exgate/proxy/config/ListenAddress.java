package io.exgate.proxy.config;

import java.util.regex.Pattern;

/** A host (IP literal or name) and a port, written {@code host:port} or {@code [v6]:port}. */
public record ListenAddress(String host, int port) {
    private static final Pattern HOST_NAME =
            Pattern.compile("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    /** Parses {@code host:port}; returns null with nothing thrown when the text is not an address. */
    static ListenAddress parse(String text) {
        if (text == null) {
            return null;
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                return null;
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (!host.matches("[0-9a-fA-F:.]+") || !host.contains(":")) {
                return null;
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon) {
                return null;
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (!validHost(host)) {
                return null;
            }
        }
        if (!port.matches("\\d{1,5}")) {
            return null;
        }
        int p = Integer.parseInt(port);
        return p >= 0 && p <= 65535 ? new ListenAddress(host, p) : null;
    }

    static boolean validHost(String host) {
        if (host.matches("[0-9.]+")) {
            return IPV4.matcher(host).matches();
        }
        return host.length() <= 253 && HOST_NAME.matcher(host).matches();
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
