package io.exgate.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class MailboxMapTest {
    private static final Set<String> BACKENDS = Set.of("ex1", "ex2", "ex3");

    @Test
    void looksUpGuidThenAddressThenDomain() throws Exception {
        MailboxMap map = MailboxMap.parse("map.csv", """
                # mailbox or address or domain, backend
                5e8d6a2c-0b9a-4e27-9c9e-2f1d9a6b7c31,ex1
                alice@contoso.com,EX2
                @fabrikam.com,ex3
                """, BACKENDS);
        assertThat(map.size()).isEqualTo(3);
        assertThat(map.lookup(new RoutingKey(RoutingKey.Kind.MAILBOX_ID, "5e8d6a2c-0b9a-4e27-9c9e-2f1d9a6b7c31@contoso.com")))
                .contains("ex1");
        assertThat(map.lookup(new RoutingKey(RoutingKey.Kind.ANCHOR_MAILBOX, "alice@contoso.com"))).contains("ex2");
        assertThat(map.lookup(new RoutingKey(RoutingKey.Kind.ANCHOR_MAILBOX, "bob@fabrikam.com"))).contains("ex3");
        assertThat(map.lookup(new RoutingKey(RoutingKey.Kind.ANCHOR_MAILBOX, "bob@contoso.com"))).isEmpty();
        assertThat(map.lookup(RoutingKey.NONE)).isEmpty();
    }

    @Test
    void refusesABrokenFileNamingTheLine() {
        assertThatThrownBy(() -> MailboxMap.parse("map.csv", "alice@contoso.com,ex1\nbob@contoso.com,ex9\n", BACKENDS))
                .hasMessage("map.csv:2: backend 'ex9' is not configured");
        assertThatThrownBy(() -> MailboxMap.parse("map.csv", "alice@contoso.com\n", BACKENDS))
                .hasMessageStartingWith("map.csv:1: expected");
        assertThatThrownBy(() -> MailboxMap.parse("map.csv", "not a key!,ex1\n", BACKENDS))
                .hasMessageContaining("is neither a mailbox GUID");
    }
}
