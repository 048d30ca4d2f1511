package io.exgate.proxy.probe;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --resolve host:ip} (or curl's {@code host:port:ip}): connect to this address instead of
 * asking DNS, while SNI, the Host header and the name check keep the host name.
 *
 * @param port the port it applies to, 0 for any
 */
record AddressOverride(String host, int port, InetAddress address) {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern PORT_AND_ADDRESS = Pattern.compile("(\\d{1,5}):(\\[[0-9A-Fa-f:.]+\\]|\\d{1,3}(\\.\\d{1,3}){3})");

    static AddressOverride parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "': expected HOST:IP or HOST:PORT:IP");
        }
        String host = text.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = text.substring(colon + 1);
        int port = 0;
        Matcher m = PORT_AND_ADDRESS.matcher(rest);
        if (m.matches()) {
            port = Integer.parseInt(m.group(1));
            rest = m.group(2);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("'" + text + "': port " + port + " is out of range");
            }
        }
        if (rest.startsWith("[") && rest.endsWith("]")) {
            rest = rest.substring(1, rest.length() - 1);
        }
        // Only literals: a name here would make the override itself depend on DNS.
        if (!IPV4.matcher(rest).matches() && !rest.matches("[0-9A-Fa-f:.]+:[0-9A-Fa-f:.]*")) {
            throw new IllegalArgumentException("'" + text + "': '" + rest + "' is not an IP address");
        }
        try {
            return new AddressOverride(host, port, InetAddress.getByName(rest));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "': '" + rest + "' is not an IP address");
        }
    }

    boolean appliesTo(Target target) {
        return host.equals(target.host()) && (port == 0 || port == target.port());
    }

    static final class Converter implements ITypeConverter<AddressOverride> {
        @Override
        public AddressOverride convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
