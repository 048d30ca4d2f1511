package io.exgate.proxy.probe;

import java.net.InetAddress;
import java.util.List;

/**
 * The addresses the host name resolved to, in the resolver's order.
 *
 * @param overridden the address came from {@code --resolve}, DNS was not asked
 * @param error      why resolution failed, or null
 */
record DnsResult(String host, List<InetAddress> addresses, boolean overridden, long millis, String error) {
    boolean failed() {
        return error != null;
    }
}
