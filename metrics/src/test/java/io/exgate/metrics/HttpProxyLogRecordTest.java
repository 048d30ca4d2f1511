package io.exgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HttpProxyLogRecordTest {
    @Test
    void onlyExchangesTenProtocolFoldersAreAccepted() {
        for (String folder : HttpProxyLogRecord.PROTOCOL_FOLDERS) {
            assertThat(HttpProxyLogRecord.builder(folder).build().protocolFolder()).isEqualTo(folder);
        }
        assertThat(HttpProxyLogRecord.PROTOCOL_FOLDERS).containsExactly(
                "Autodiscover", "Eas", "Ecp", "Ews", "Mapi", "Oab", "Owa", "OwaCalendar", "PowerShell", "RpcHttp");
        for (String wrong : new String[] {"mapi", "ActiveSync", "Rpc", "", "../Mapi", null}) {
            assertThatThrownBy(() -> HttpProxyLogRecord.builder(wrong))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void unsetAndNullFieldsAreEmpty() {
        HttpProxyLogRecord record = HttpProxyLogRecord.builder("Ews")
                .set(HttpProxyField.HttpStatus, "200")
                .set(HttpProxyField.AuthenticatedUser, null)
                .build();
        assertThat(record.get(HttpProxyField.HttpStatus)).isEqualTo("200");
        assertThat(record.get(HttpProxyField.AuthenticatedUser)).isEmpty();
        assertThat(record.get(HttpProxyField.RoutingStatus)).isEmpty();
    }

    @Test
    void aBuiltRecordDoesNotChangeWhenItsBuilderGoesOn() {
        HttpProxyLogRecord.Builder builder = HttpProxyLogRecord.builder("Owa").set(HttpProxyField.Method, "GET");
        HttpProxyLogRecord first = builder.build();
        builder.set(HttpProxyField.Method, "POST");
        assertThat(first.get(HttpProxyField.Method)).isEqualTo("GET");
        assertThat(builder.build().get(HttpProxyField.Method)).isEqualTo("POST");
    }
}
