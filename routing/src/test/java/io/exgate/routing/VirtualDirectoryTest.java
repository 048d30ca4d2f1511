package io.exgate.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VirtualDirectoryTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "/mapi/emsmdb/, MAPI", "/MAPI/nspi/, MAPI", "/mapi, MAPI",
        "/rpc/rpcproxy.dll, RPC", "/Rpc/RpcProxy.dll, RPC",
        "/owa/, OWA", "/OWA/auth/logon.aspx, OWA",
        "/EWS/Exchange.asmx, EWS",
        "/Autodiscover/Autodiscover.xml, AUTODISCOVER",
        "/microsoft-server-activesync, ACTIVESYNC", "/Microsoft-Server-ActiveSync/default.eas, ACTIVESYNC",
        "/OAB/abc/oab.xml, OAB", "/ecp/, ECP", "/PowerShell/, POWERSHELL",
    })
    void matchesExchangeVirtualDirectoriesCaseInsensitively(String path, VirtualDirectory expected) throws Exception {
        assertThat(VirtualDirectory.of(RequestTarget.normalize(path))).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/mapix/emsmdb", "/owa2/", "/favicon.ico", "/aspnet_client/", "/rpcproxy.dll", "/ews.asmx"})
    void refusesEverythingElse(String path) throws Exception {
        assertThat(VirtualDirectory.of(RequestTarget.normalize(path))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/owa/../secret", "/mapi/%2e%2e/admin/"})
    void judgesThePathAfterDotSegmentsAreResolved(String path) throws Exception {
        assertThat(VirtualDirectory.of(RequestTarget.normalize(path))).isEmpty();
    }
}
