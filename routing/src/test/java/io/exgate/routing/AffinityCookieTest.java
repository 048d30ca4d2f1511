package io.exgate.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AffinityCookieTest {
    private final AffinityCookie cookies = new AffinityCookie("0123456789abcdef-secret".getBytes(StandardCharsets.UTF_8));

    @Test
    void aSignedCookieNamesItsBackendAndNothingElse() {
        RoutingKey key = new RoutingKey(RoutingKey.Kind.MAILBOX_ID, "guid@contoso.com");
        String name = AffinityCookie.nameFor(key);
        assertThat(name).matches("exgate-[0-9a-f]{8}");
        String value = cookies.value(name, "ex2");
        assertThat(cookies.verify(name, value)).contains("ex2");
        // Another backend's name with the same signature, the cookie of another key, a truncated one: refused.
        assertThat(cookies.verify(name, value.replace("ex2.", "ex1."))).isEmpty();
        assertThat(cookies.verify(AffinityCookie.nameFor(RoutingKey.NONE), value)).isEmpty();
        assertThat(cookies.verify(name, value.substring(0, value.length() - 1))).isEmpty();
        assertThat(cookies.verify(name, "ex2")).isEmpty();
    }

    @Test
    void anotherSecretDoesNotVerify() {
        AffinityCookie other = new AffinityCookie("another-secret-0123456789".getBytes(StandardCharsets.UTF_8));
        String name = AffinityCookie.nameFor(RoutingKey.NONE);
        assertThat(other.verify(name, cookies.value(name, "ex1"))).isEmpty();
    }

    @Test
    void aKeysCookieNameStaysTheSameWhileNamesAreRememberedAndAfterTheyAreForgotten() {
        RoutingKey key = new RoutingKey(RoutingKey.Kind.MAILBOX_ID, "6f2d9b1e-1c4e-4a53-9a35-2f3c0e6f7a10@contoso.com");
        String first = AffinityCookie.nameFor(key);
        assertThat(first).matches("exgate-[0-9a-f]{8}");
        assertThat(AffinityCookie.nameFor(new RoutingKey(RoutingKey.Kind.MAILBOX_ID, new String(key.value())))).isEqualTo(first);
        // Another kind with the same value is another key, and another cookie.
        assertThat(AffinityCookie.nameFor(new RoutingKey(RoutingKey.Kind.ANCHOR_MAILBOX, key.value()))).isNotEqualTo(first);
        for (int i = 0; i <= AffinityCookie.MAX_REMEMBERED; i++) {
            AffinityCookie.nameFor(new RoutingKey(RoutingKey.Kind.MAILBOX_ID, "user" + i + "@contoso.com"));
        }
        assertThat(AffinityCookie.nameFor(key)).isEqualTo(first);
    }

    @Test
    void aRememberedSignatureVerifiesAsAFreshOneAndStillRefusesForgeries() {
        String name = AffinityCookie.nameFor(new RoutingKey(RoutingKey.Kind.MAILBOX_ID, "guid@contoso.com"));
        String issued = cookies.value(name, "mbx01");
        for (int i = 0; i < 3; i++) {
            assertThat(cookies.verify(name, issued, "mbx01"::equals)).contains("mbx01");
            assertThat(cookies.verify(name, "mbx01.AAAAAAAAAAAAAAAAAAAAAA", "mbx01"::equals)).isEmpty();
            assertThat(cookies.verify(name, issued.replace("mbx01", "mbx02"), n -> true)).isEmpty();
            assertThat(cookies.verify("exgate-00000000", issued, "mbx01"::equals)).isEmpty();
        }
        assertThat(cookies.verify(name, issued)).contains("mbx01");
    }
}
