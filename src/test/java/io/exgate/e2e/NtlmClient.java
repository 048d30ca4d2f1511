package io.exgate.e2e;

import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;

/** The JDK's own NTLM client (as HttpURLConnection uses it), producing real type-1 and type-3 messages. */
final class NtlmClient {
    private final SaslClient sasl;

    NtlmClient(String user, String password) throws SaslException {
        sasl = Sasl.createSaslClient(new String[] {"NTLM"}, null, "HTTP", "server", Map.of(), callbacks -> {
            for (Callback c : callbacks) {
                if (c instanceof NameCallback n) {
                    n.setName(user);
                } else if (c instanceof PasswordCallback p) {
                    p.setPassword(password.toCharArray());
                } else if (c instanceof RealmCallback r) {
                    r.setText("LAB");
                }
            }
        });
    }

    byte[] negotiate() throws SaslException {
        return sasl.evaluateChallenge(new byte[0]);
    }

    byte[] authenticate(byte[] challenge) throws SaslException {
        return sasl.evaluateChallenge(challenge);
    }
}
