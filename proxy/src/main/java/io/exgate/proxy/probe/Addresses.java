package io.exgate.proxy.probe;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Addresses as administrators write them: 192.0.2.1:443, [2001:db8::1]:443. */
final class Addresses {
    private Addresses() {
    }

    static String text(InetAddress address) {
        return address.getHostAddress();
    }

    static String text(InetSocketAddress address) {
        String ip = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }
}
