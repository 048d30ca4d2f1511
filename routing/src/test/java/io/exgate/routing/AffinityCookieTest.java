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
}
