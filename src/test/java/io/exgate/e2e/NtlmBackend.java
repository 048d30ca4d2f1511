package io.exgate.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * A backend that authenticates like IIS with Windows authentication: NTLM really verified (the JDK's
 * NTLM server checks the NTLMv2 response against the user's password), bound to the TCP connection
 * that received the challenge; a type-3 message on any other connection is refused. Negotiate with
 * raw NTLMSSP tokens is verified the same way; SPNEGO-style synthetic tokens follow the same
 * connection-bound three legs and answer with a mutual-authentication token on the 200. Basic is per
 * request. Every answer says which user and which backend connection served it.
 */
final class NtlmBackend {
    static final Map<String, String> PASSWORDS = new ConcurrentHashMap<>();

    private final String name;
    private final Map<HttpConnection, State> states = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
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
            s.ntlm = Sasl.createSaslServer("NTLM", "HTTP", "server", Map.of("com.sun.security.sasl.ntlm.domain", "LAB"),
                    callbacks -> {
                        String user = null;
                        for (Callback c : callbacks) {
                            if (c instanceof NameCallback n) {
                                user = n.getDefaultName();
                            }
                        }
                        for (Callback c : callbacks) {
                            if (c instanceof PasswordCallback p) {
                                String pw = PASSWORDS.get(user);
                                p.setPassword(pw == null ? null : pw.toCharArray());
                            }
                        }
                    });
            s.scheme = scheme;
            byte[] challenge = s.ntlm.evaluateResponse(token);
            r.response().setStatusCode(401).putHeader("WWW-Authenticate", scheme + " " + Base64.getEncoder().encodeToString(challenge))
                    .putHeader("X-Backend", name).end();
        } else if (type == 3) {
            if (s.ntlm == null) {
                // The answer arrived on a connection that never sent its challenge: what pooling does to NTLM.
                challengeAll(r, "type-3 message on a connection that received no challenge");
                return;
            }
            s.ntlm.evaluateResponse(token);
            s.user = s.ntlm.getAuthorizationID();
            s.ntlm = null;
            ok(r, s, null);
        } else {
            challengeAll(r, "not an NTLM message");
        }
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
