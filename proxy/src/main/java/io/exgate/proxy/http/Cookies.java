package io.exgate.proxy.http;

import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.vertx.core.MultiMap;
import java.util.List;

/** A request cookie's value by name, decoded as Vert.x decodes them (RFC 6265, strict). */
final class Cookies {
    private Cookies() {
    }

    static String value(MultiMap headers, String name) {
        List<String> values = headers.getAll("Cookie");
        for (int i = 0; i < values.size(); i++) {
            for (Cookie cookie : ServerCookieDecoder.STRICT.decode(values.get(i))) {
                if (cookie.name().equals(name)) {
                    return cookie.value();
                }
            }
        }
        return null;
    }
}
