package io.exgate.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {
    @Test
    void dropsHopByHopHeadersThoseConnectionNamesAndSkippedOnesInAnyCase() {
        MultiMap from = MultiMap.caseInsensitiveMultiMap()
                .add("Host", "outlook.example.com")
                .add("CONNECTION", "keep-alive, X-Private ,,Upgrade")
                .add("Keep-Alive", "timeout=5")
                .add("Transfer-Encoding", "chunked")
                .add("TE", "trailers")
                .add("x-private", "secret")
                .add("X-Forwarded-For", "10.0.0.1")
                .add("X-RequestType", "Execute")
                .add("Cookie", "a=1")
                .add("Cookie", "b=2");
        MultiMap to = MultiMap.caseInsensitiveMultiMap();
        HopByHopHeaders.copyEndToEnd(from, to, List.of("x-forwarded-for"));
        assertThat(to.names()).containsExactlyInAnyOrder("Host", "X-RequestType", "Cookie");
        assertThat(to.getAll("Cookie")).containsExactly("a=1", "b=2");
    }

    @Test
    void copiesEverythingEndToEnd() {
        MultiMap from = MultiMap.caseInsensitiveMultiMap().add("Content-Length", "4096").add("Content-Type", "application/mapi-http")
                .add("Proxy-Authenticate", "Basic").add("Trailer", "X").add("Set-Cookie", "s=1");
        MultiMap to = MultiMap.caseInsensitiveMultiMap();
        HopByHopHeaders.copyEndToEnd(from, to, List.of());
        assertThat(to.names()).containsExactlyInAnyOrder("Content-Length", "Content-Type", "Set-Cookie");
    }

    @Test
    void stripsTheSameHeadersInPlaceFromTheDecodedMap() {
        MultiMap headers = io.vertx.core.http.impl.headers.HeadersMultiMap.httpHeaders()
                .add("Host", "outlook.example.com")
                .add("CONNECTION", "keep-alive, X-Private ,,Upgrade")
                .add("Keep-Alive", "timeout=5")
                .add("Transfer-Encoding", "chunked")
                .add("te", "trailers")
                .add("x-private", "secret")
                .add("X-Forwarded-For", "10.0.0.1")
                .add("X-RequestType", "Execute")
                .add("Cookie", "a=1")
                .add("Cookie", "b=2");
        HopByHopHeaders.strip(headers, new CharSequence[]{"X-Forwarded-For"});
        assertThat(headers.names()).containsExactlyInAnyOrder("Host", "X-RequestType", "Cookie");
        assertThat(headers.getAll("Cookie")).containsExactly("a=1", "b=2");
    }
}
