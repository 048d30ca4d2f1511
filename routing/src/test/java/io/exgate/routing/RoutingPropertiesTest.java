package io.exgate.routing;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random and hostile inputs: nothing throws but the refusals exgate answers with 400, nothing leaves the vdirs. */
class RoutingPropertiesTest {

    @Provide
    Arbitrary<String> hostilePaths() {
        Arbitrary<String> pieces = Arbitraries.of("/", "//", ".", "..", "%2e", "%2E%2e", "%2f", "%5c", "\\", "%00", "%", "%g0",
                "mapi", "MAPI", "emsmdb", "owa", "ecp", "rpc", "rpcproxy.dll", "autodiscover.json", "?", "@", "#", ";",
                "%40", "\u00e9", "%c3%a9", "%ff", " ", "\t", "a", "healthcheck.htm");
        return pieces.list().ofMaxSize(12).map(l -> String.join("", l));
    }

    @Property(tries = 3000)
    void normalisationNeverThrowsAnythingButARefusal(@ForAll("hostilePaths") String raw) {
        String target = raw.startsWith("/") ? raw : "/" + raw;
        try {
            RequestTarget t = RequestTarget.parse(target);
            String p = t.path().value();
            assertThat(p).startsWith("/").doesNotContain("/./", "/../", "//", "\\");
            VirtualDirectory.of(t.path()).ifPresent(v ->
                    assertThat(p.toLowerCase()).startsWith(v.path().toLowerCase()));
        } catch (BadRequestTargetException expected) {
            // Refused with 400: fine.
        }
    }

    @Property(tries = 3000)
    void theShortcutForNormalPathsAgreesWithTheWholeNormalisation(@ForAll("hostilePaths") String raw) {
        String path = raw.startsWith("/") ? raw : "/" + raw;
        String full;
        try {
            full = RequestTarget.normalizeFully(path).value();
        } catch (BadRequestTargetException e) {
            full = "refused";
        }
        String shortcut;
        try {
            shortcut = RequestTarget.normalize(path).value();
        } catch (BadRequestTargetException e) {
            shortcut = "refused";
        }
        assertThat(shortcut).isEqualTo(full);
    }

    @Property(tries = 3000)
    void keyParsingNeverThrowsAnythingButARefusal(@ForAll("hostilePaths") String raw, @ForAll String anchor,
                                                  @ForAll String query) {
        for (String base : new String[] {"/mapi/emsmdb/?MailboxId=", "/rpc/rpcproxy.dll?", "/Microsoft-Server-ActiveSync?User=",
            "/ews/?"}) {
            try {
                RequestTarget t = RequestTarget.parse(base + query.replaceAll("[^\\x21-\\x7e]", "%") + raw.replaceAll("[^\\x21-\\x7e]", ""));
                String method = base.startsWith("/rpc") ? "RPC_IN_DATA" : "POST";
                Classification c = Classifier.classify(method, t.path(), n -> n.equals("X-AnchorMailbox") ? anchor : null);
                RoutingKey k = RoutingKeys.extract(c, t, n -> n.equals("X-AnchorMailbox") ? anchor : null);
                assertThat(k.value().length()).isLessThanOrEqualTo(RoutingKeys.MAX_BYTES);
                assertThat(k.value()).doesNotContainPattern("[\\x00-\\x1f\\x7f]");
            } catch (BadRequestTargetException | BadRoutingInputException expected) {
                // Refused with 400: fine.
            } catch (IllegalArgumentException notUnderVdir) {
                // The path left the virtual directory (e.g. "/ews/..?"): the proxy answers 404 before routing.
                assertThat(notUnderVdir).hasMessageStartingWith("not under an Exchange virtual directory");
            }
        }
    }
}
