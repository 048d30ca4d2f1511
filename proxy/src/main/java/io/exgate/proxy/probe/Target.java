package io.exgate.proxy.probe;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The front door as clients name it: the host name (SNI, Host header, certificate check) and the port. */
record Target(String host, int port) {
    static final int HTTPS_PORT = 443;

    /** Parses {@code https://host[:port][/path]}, or a bare {@code host[:port]}; any path is ignored. */
    static Target parse(String text) {
        String withScheme = text.contains("://") ? text : "https://" + text;
        URI uri;
        try {
            uri = new URI(withScheme);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getReason());
        }
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("'" + text + "': only https:// front doors can be probed");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("'" + text + "': no credentials in the URL, the probe never sends any");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' names no host");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Target(host.toLowerCase(Locale.ROOT), uri.getPort() < 0 ? HTTPS_PORT : uri.getPort());
    }

    /** The Host header's value: the port only when it is not 443, IPv6 literals in brackets. */
    String authority() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == HTTPS_PORT ? h : h + ":" + port;
    }

    String url() {
        return "https://" + authority();
    }

    /** True for an IP literal, which gets no SNI. */
    boolean isAddress() {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    static final class Converter implements ITypeConverter<Target> {
        @Override
        public Target convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
