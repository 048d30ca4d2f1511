package io.exgate.e2e;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * The JDK's NTLM server (SASL "NTLM", domain LAB): it issues the challenge and verifies the client's
 * NTLMv2 (or v1) response against the user's password, so test backends check, not just parse.
 */
final class JdkNtlm {
    private JdkNtlm() {
    }

    /** A server for one handshake: evaluate the type-1 message (returns type 2), then the type-3. */
    static SaslServer server(Map<String, String> passwords) throws SaslException {
        return Sasl.createSaslServer("NTLM", "HTTP", "server", Map.of("com.sun.security.sasl.ntlm.domain", "LAB"),
                callbacks -> {
                    String user = null;
                    for (Callback c : callbacks) {
                        if (c instanceof NameCallback n) {
                            user = n.getDefaultName();
                        }
                    }
                    for (Callback c : callbacks) {
                        if (c instanceof PasswordCallback p) {
                            String pw = passwords.get(user);
                            p.setPassword(pw == null ? null : pw.toCharArray());
                        }
                    }
                });
    }

    /**
     * The JDK's type-2 message laid out as Windows servers send it, with target information (domain and
     * computer names): the JDK omits it, and NTLMv2 clients such as impacket need it (impacket cannot
     * even parse the short form). Nonce, flags and domain stay the JDK's, so the JDK still verifies;
     * {@code extraFlags} adds flags a client insists on (gss-ntlmssp wants SIGN, 0x10, when it asked for it).
     */
    static byte[] withTargetInfo(byte[] jdkType2, String computer, int extraFlags) {
        Buffer jdk = Buffer.buffer(jdkType2);
        int domainLength = jdk.getUnsignedShortLE(12);
        Buffer domain = jdk.getBuffer((int) jdk.getUnsignedIntLE(16), (int) jdk.getUnsignedIntLE(16) + domainLength);
        Buffer info = Buffer.buffer();
        avPair(info, 2, domain); // MsvAvNbDomainName
        avPair(info, 1, Buffer.buffer(computer.getBytes(StandardCharsets.UTF_16LE))); // MsvAvNbComputerName
        avPair(info, 0, Buffer.buffer()); // MsvAvEOL
        return Buffer.buffer().appendBuffer(jdk, 0, 12) // signature, type 2
                .appendShortLE((short) domainLength).appendShortLE((short) domainLength).appendIntLE(48)
                .appendIntLE(jdk.getIntLE(20) | 0x00800000 | extraFlags) // + NTLMSSP_NEGOTIATE_TARGET_INFO
                .appendBuffer(jdk, 24, 8) // the nonce
                .appendLong(0) // reserved
                .appendShortLE((short) info.length()).appendShortLE((short) info.length()).appendIntLE(48 + domainLength)
                .appendBuffer(domain).appendBuffer(info).getBytes();
    }

    private static void avPair(Buffer out, int id, Buffer value) {
        out.appendShortLE((short) id).appendShortLE((short) value.length()).appendBuffer(value);
    }
}
