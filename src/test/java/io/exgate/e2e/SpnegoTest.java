package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The test backends' SPNEGO codec against real tokens and DER's rules, so a backend refusal means the token, not the codec. */
class SpnegoTest {
    /** What curl 7.88 with gss-ntlmssp 1.2 sent first (MIT krb5 1.20's SPNEGO). */
    private static final String CURL_INIT =
            "YEgGBisGAQUFAqA+MDygDjAMBgorBgEEAYI3AgIKoioEKE5UTE1TU1AAAQAAABeCCOIAAAAAAAAAAAAAAAAAAAAABgIAAAAAAA8=";

    @Test
    void readsTheNegTokenInitCurlSends() {
        Spnego.Init init = Spnego.parseInit(Base64.getDecoder().decode(CURL_INIT));
        assertThat(init.mechTypes()).containsExactly(Spnego.NTLMSSP_OID);
        assertThat(new String(init.mechToken(), 0, 8, StandardCharsets.ISO_8859_1)).isEqualTo("NTLMSSP\0");
        assertThat(init.mechToken()[8]).isEqualTo((byte) 1);
        assertThat(init.mechListMic()).isNull();
    }

    @Test
    void writesNegTokenRespInDerAndReadsItBack() {
        // accept-completed alone: A1 07 30 05 A0 03 0A 01 00.
        assertThat(HexFormat.of().formatHex(Spnego.resp(new Spnego.Resp(Spnego.ACCEPT_COMPLETED, null, null, null))))
                .isEqualTo("a1073005a0030a0100");
        byte[] big = new byte[300]; // long-form lengths on every level
        Arrays.fill(big, (byte) 7);
        byte[] token = Spnego.resp(new Spnego.Resp(Spnego.ACCEPT_INCOMPLETE, Spnego.NTLMSSP_OID, big, null));
        Spnego.Resp back = Spnego.parseResp(token);
        assertThat(back.negState()).isEqualTo(Spnego.ACCEPT_INCOMPLETE);
        assertThat(back.supportedMech()).isEqualTo(Spnego.NTLMSSP_OID);
        assertThat(back.responseToken()).isEqualTo(big);
        assertThat(back.mechListMic()).isNull();
    }

    @Test
    void refusesWhatIsNotDer() {
        HexFormat hex = HexFormat.of();
        assertThatThrownBy(() -> Spnego.parseResp(hex.parseHex("a1803005a0030a010000"))).hasMessageContaining("indefinite");
        assertThatThrownBy(() -> Spnego.parseResp(hex.parseHex("a181073005a0030a0100"))).hasMessageContaining("non-minimal");
        assertThatThrownBy(() -> Spnego.parseResp(hex.parseHex("a1073005a0030a010000"))).hasMessageContaining("trailing");
        assertThatThrownBy(() -> Spnego.parseResp(hex.parseHex("a1073005a0030a01"))).hasMessageContaining("beyond");
        assertThatThrownBy(() -> Spnego.parseResp(hex.parseHex("a10a3008a2020400a0020a00"))).hasMessageContaining("out of order");
    }
}
