package io.exgate.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * A backend that authenticates like IIS with Windows authentication: NTLM really verified (the JDK's
 * NTLM server checks the NTLMv2 response against the user's password), bound to the TCP connection
 * that received the challenge; a type-3 message on any other connection is refused. Negotiate with
 * raw NTLMSSP tokens, or NTLMSSP inside real SPNEGO (see {@link Spnego}), is verified the same way and
 * bound the same way; SPNEGO-style synthetic tokens follow the same
 * connection-bound three legs and answer with a mutual-authentication token on the 200. Basic is per
 * request. Every answer says which user and which backend connection served it.
 */
final class NtlmBackend {
    static final Map<String, String> PASSWORDS = new ConcurrentHashMap<>();

    private final String name;
    private final Map<HttpConnection, State> states = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    /** Every WWW-Authenticate value sent with a SPNEGO 200, to compare with what the client received. */
    final List<String> mutualTokensSent = new CopyOnWriteArrayList<>();
    private HttpServer server;

    private static final class State {
        final int id;
        SaslServer ntlm;
        String scheme;
        String negotiateChallenge;
        String negotiateUser;
        String user;
        int requests;

        State(int id) {
            this.id = id;
        }
    }

    NtlmBackend(String name) {
        this.name = name;
    }

    String start(Vertx vertx) throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setMaxHeaderSize(64 * 1024))
                .requestHandler(r -> r.body().onSuccess(b -> handle(r)));
        return "http://127.0.0.1:" + server.listen().await(10, TimeUnit.SECONDS).actualPort();
    }

    int connectionsAccepted() {
        return connections.get();
    }

    private State state(HttpServerRequest r) {
        return states.computeIfAbsent(r.connection(), c -> {
            c.closeHandler(v -> states.remove(c));
            return new State(connections.incrementAndGet());
        });
    }

    private void handle(HttpServerRequest r) {
        State s = state(r);
        s.requests++;
        String auth = r.getHeader("Authorization");
        if (r.path().endsWith("/close-me") && s.user != null) {
            // The server drops an authenticated connection (recycled app pool, reboot).
            r.response().end("closing").onComplete(v -> r.connection().close());
            return;
        }
        try {
            if (auth == null) {
                if (s.user != null) {
                    ok(r, s, null);
                } else {
                    challengeAll(r, "no credentials");
                }
            } else if (auth.regionMatches(true, 0, "NTLM ", 0, 5)) {
                ntlm(r, s, "NTLM", Base64.getDecoder().decode(auth.substring(5).trim()));
            } else if (auth.regionMatches(true, 0, "Negotiate ", 0, 10)) {
                byte[] token = Base64.getDecoder().decode(auth.substring(10).trim());
                if (new String(token, 0, Math.min(7, token.length), StandardCharsets.ISO_8859_1).equals("NTLMSSP")) {
                    ntlm(r, s, "Negotiate", token);
                } else if (token.length > 0 && ((token[0] & 0xff) == 0x60 || (token[0] & 0xff) == 0xa1)) {
                    spnegoNtlm(r, s, token);
                } else {
                    spnego(r, s, new String(token, StandardCharsets.UTF_8));
                }
            } else if (auth.regionMatches(true, 0, "Basic ", 0, 6)) {
                String[] up = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8).split(":", 2);
                if (up.length == 2 && up[1].equals(PASSWORDS.get(up[0]))) {
                    ok(r, s, up[0]);
                } else {
                    challengeAll(r, "bad basic credentials");
                }
            } else {
                challengeAll(r, "unknown scheme");
            }
        } catch (SaslException | IllegalArgumentException e) {
            s.ntlm = null;
            challengeAll(r, "refused: " + e.getMessage());
        }
    }

    private void ntlm(HttpServerRequest r, State s, String scheme, byte[] token) throws SaslException {
        int type = token.length > 8 ? token[8] : 0;
        if (type == 1) {
            byte[] challenge = challenge(s, scheme, token);
            r.response().setStatusCode(401).putHeader("WWW-Authenticate", scheme + " " + Base64.getEncoder().encodeToString(challenge))
                    .putHeader("X-Backend", name).end();
        } else if (type == 3) {
            if (s.ntlm == null) {
                // The answer arrived on a connection that never sent its challenge: what pooling does to NTLM.
                challengeAll(r, "type-3 message on a connection that received no challenge");
                return;
            }
            verify(s, token);
            ok(r, s, null);
        } else {
            challengeAll(r, "not an NTLM message");
        }
    }

    /** Starts this connection's NTLM handshake with the JDK's NTLM server; returns the type-2 challenge. */
    private static byte[] challenge(State s, String scheme, byte[] type1) throws SaslException {
        s.ntlm = JdkNtlm.server(PASSWORDS);
        s.scheme = scheme;
        return s.ntlm.evaluateResponse(type1);
    }

    /** Verifies the type-3 answer (the NTLMv2 response against the user's password); the connection is then that user's. */
    private static void verify(State s, byte[] type3) throws SaslException {
        s.ntlm.evaluateResponse(type3);
        s.user = s.ntlm.getAuthorizationID();
        s.ntlm = null;
    }

    /**
     * Real SPNEGO (RFC 4178) carrying NTLMSSP, as curl with gss-ntlmssp (and Windows without a domain
     * controller) sends it: NegTokenInit with the optimistic type 1, NegTokenResp with the type 3.
     */
    private void spnegoNtlm(HttpServerRequest r, State s, byte[] token) throws SaslException {
        if ((token[0] & 0xff) == 0x60) {
            Spnego.Init init = Spnego.parseInit(token);
            byte[] type1 = init.mechToken();
            // Only the optimistic NTLMSSP path: no Kerberos here, and re-negotiating a mechanism is not what curl does.
            if (init.mechTypes().isEmpty() || !init.mechTypes().get(0).equals(Spnego.NTLMSSP_OID) || type1 == null
                    || type1.length < 9 || type1[8] != 1 || init.mechListMic() != null) {
                challengeAll(r, "NegTokenInit is not an optimistic NTLMSSP type 1: " + init.mechTypes());
                return;
            }
            byte[] type2 = JdkNtlm.withTargetInfo(challenge(s, "SPNEGO", type1), "SERVER", 0x10);
            byte[] answer = Spnego.resp(new Spnego.Resp(Spnego.ACCEPT_INCOMPLETE, Spnego.NTLMSSP_OID, type2, null));
            r.response().setStatusCode(401).putHeader("WWW-Authenticate", "Negotiate " + Base64.getEncoder().encodeToString(answer))
                    .putHeader("X-Backend", name).end();
            return;
        }
        Spnego.Resp resp = Spnego.parseResp(token);
        byte[] type3 = resp.responseToken();
        if (s.ntlm == null || !"SPNEGO".equals(s.scheme)) {
            challengeAll(r, "SPNEGO NegTokenResp on a connection that received no challenge");
            return;
        }
        if (type3 == null || type3.length < 9 || type3[8] != 3) {
            s.ntlm = null;
            challengeAll(r, "NegTokenResp without an NTLMSSP type 3");
            return;
        }
        if (resp.mechListMic() != null) {
            // Sent only after an NTLM MIC, which our challenge never asks for (no MsvAvTimestamp); fail loudly, not half-way.
            s.ntlm = null;
            challengeAll(r, "NegTokenResp with a mechListMIC, which this backend does not verify");
            return;
        }
        verify(s, type3);
        // The mutual-authentication token travels on the 200 itself, as IIS sends it.
        byte[] completed = Spnego.resp(new Spnego.Resp(Spnego.ACCEPT_COMPLETED, null, null, null));
        String mutual = "Negotiate " + Base64.getEncoder().encodeToString(completed);
        mutualTokensSent.add(mutual);
        r.response().putHeader("WWW-Authenticate", mutual);
        ok(r, s, null);
    }

    private void spnego(HttpServerRequest r, State s, String token) {
        if (token.startsWith("spnego-1:")) {
            s.negotiateChallenge = UUID.randomUUID().toString();
            s.negotiateUser = token.substring(9);
            r.response().setStatusCode(401).putHeader("WWW-Authenticate", "Negotiate "
                    + Base64.getEncoder().encodeToString(("challenge:" + s.negotiateChallenge).getBytes(StandardCharsets.UTF_8))).end();
        } else if (token.startsWith("spnego-3:") && s.negotiateChallenge != null && token.substring(9).equals(s.negotiateChallenge)) {
            s.user = s.negotiateUser;
            r.response().putHeader("WWW-Authenticate", "Negotiate "
                    + Base64.getEncoder().encodeToString(("mutual:" + s.negotiateChallenge).getBytes(StandardCharsets.UTF_8)));
            ok(r, s, null);
        } else {
            challengeAll(r, "SPNEGO answer without its challenge on this connection");
        }
    }


    private void ok(HttpServerRequest r, State s, String perRequestUser) {
        String user = perRequestUser != null ? perRequestUser : s.user;
        r.response().putHeader("Content-Type", "application/json").putHeader("X-Backend", name)
                .end(new JsonObject().put("user", user).put("backend", name).put("connection", s.id).put("requests", s.requests)
                        .encode());
    }

    private void challengeAll(HttpServerRequest r, String why) {
        r.response().headers().add("WWW-Authenticate", "Negotiate").add("WWW-Authenticate", "NTLM");
        r.response().setStatusCode(401).putHeader("X-Backend", name).putHeader("X-Refusal", why)
                .end("401 " + why);
    }
}
