package io.exgate.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RequestTargetTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/mapi/emsmdb/, /mapi/emsmdb/",
        "/MAPI/./emsmdb, /MAPI/emsmdb",
        "//mapi///emsmdb/, /mapi/emsmdb/",
        "/owa/x/../, /owa/",
        "/%6dapi/emsmdb/, /mapi/emsmdb/",
        "/owa/%2e%2e/ecp/, /ecp/",
        "/owa/a%20b, /owa/a%20b",
        "/owa/a%3fb, /owa/a%3Fb",
        "/, /",
        "/owa/., /owa/",
    })
    void normalisesPathsAsAServerWouldReadThem(String raw, String expected) throws Exception {
        assertThat(RequestTarget.parse(raw).path().value()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/owa/%2F..%2Fecp", "/owa\\..\\ecp", "/owa/%5c", "/../etc/passwd", "/owa/%00", "/owa/%zz",
        "/owa/%4", "*", "ftp://x/owa/", "owa/", "/owa/#frag", "/owa/a b", "/owa/?a=b c"})
    void refusesTargetsThatCouldMeanTwoThings(String raw) {
        assertThatThrownBy(() -> RequestTarget.parse(raw)).isInstanceOf(BadRequestTargetException.class);
    }

    @Test
    void absoluteFormKeepsOnlyThePathAndQuery() throws Exception {
        RequestTarget t = RequestTarget.parse("https://evil.example.net:444/rpc/rpcproxy.dll?ex1.example.local:6001");
        assertThat(t.originForm()).isEqualTo("/rpc/rpcproxy.dll?ex1.example.local:6001");
        assertThat(RequestTarget.parse("http://outlook.example.com").originForm()).isEqualTo("/");
        assertThat(RequestTarget.parse("HTTP://outlook.example.com?x=1").originForm()).isEqualTo("/?x=1");
    }

    @Test
    void queryIsKeptVerbatim() throws Exception {
        RequestTarget t = RequestTarget.parse("/mapi/emsmdb/?MailboxId=abc%40def@example.com&x=%2F");
        assertThat(t.query()).isEqualTo("MailboxId=abc%40def@example.com&x=%2F");
    }
}
