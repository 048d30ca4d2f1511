package io.exgate.routing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * exgate's own affinity cookie: which backend a client's session for one routing key was placed on,
 * HMAC-signed so that a client can neither forge nor redirect it. One cookie per key (its name is
 * derived from the key), so that an Outlook with several mailboxes open keeps each where it lives.
 * A cookie only ever names a configured backend; it never makes exgate connect anywhere else.
 */
public final class AffinityCookie {
    static final String PREFIX = "exgate-";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final byte[] secret;
    private final ThreadLocal<Mac> mac;
    /**
     * Signatures already computed: a client that returns no cookie is given one with every answer, and an
     * HMAC per request showed in profiles. Bounded; emptied when full.
     */
    private final Map<String, String> signatures = new ConcurrentHashMap<>();
    static final int MAX_REMEMBERED = 16_384;

    public AffinityCookie(byte[] secret) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("the cookie secret needs at least 16 bytes");
        }
        this.secret = secret.clone();
        this.mac = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(secret, "HmacSHA256"));
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The cookie's name for a key: {@code exgate-<8 hex digits>}, or {@code exgate-any} for keyless requests. */
    public static String nameFor(RoutingKey key) {
        if (!key.isPresent()) {
            return PREFIX + "any";
        }
        String name = NAMES.get(key);
        if (name == null) {
            if (NAMES.size() >= MAX_REMEMBERED) {
                NAMES.clear();
            }
            name = hashedName(key);
            NAMES.put(key, name);
        }
        return name;
    }

    /**
     * Names already derived: every request of a session asks again for its key's, and a SHA-256 per
     * request showed in profiles. Bounded as the signatures are.
     */
    private static final Map<RoutingKey, String> NAMES = new ConcurrentHashMap<>();

    private static String hashedName(RoutingKey key) {
        MessageDigest sha256 = SHA256.get();
        sha256.update(KIND_PREFIXES[key.kind().ordinal()]);
        byte[] digest = sha256.digest(key.value().getBytes(StandardCharsets.UTF_8));
        return PREFIX + HexFormat.of().formatHex(digest, 0, 4);
    }

    /** "<kind>:" in UTF-8 for each kind, hashed ahead of the value (the same bytes as the joined string). */
    private static final byte[][] KIND_PREFIXES = java.util.Arrays.stream(RoutingKey.Kind.values())
            .map(k -> (k.logName() + ':').getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);

    /** One digest per thread: looking the algorithm up for every request showed in profiles. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    /** The value naming a backend: {@code <backend>.<signature>}. */
    public String value(String cookieName, String backendName) {
        return backendName + '.' + signRemembered(cookieName, backendName);
    }

    /** The backend a cookie names, if its signature holds for this cookie name. */
    public Optional<String> verify(String cookieName, String value) {
        return verify(cookieName, value, name -> false);
    }

    /**
     * As {@link #verify(String, String)}; the expected signature of a backend name that {@code configured}
     * accepts is remembered, so that the cookie every request of a session brings back costs no HMAC.
     * Names nobody configured are signed afresh, so that what clients send never fills the memory.
     */
    public Optional<String> verify(String cookieName, String value, Predicate<String> configured) {
        int dot = value.lastIndexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        String backend = value.substring(0, dot);
        String signature = configured.test(backend) ? signRemembered(cookieName, backend) : sign(cookieName, backend);
        byte[] expected = signature.getBytes(StandardCharsets.US_ASCII);
        byte[] given = value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given) ? Optional.of(backend) : Optional.empty();
    }

    private String sign(String cookieName, String backendName) {
        Mac m = mac.get();
        byte[] tag = m.doFinal((cookieName + '=' + backendName).getBytes(StandardCharsets.UTF_8));
        return B64.encodeToString(java.util.Arrays.copyOf(tag, 16));
    }

    /** As {@link #sign}, remembered; only for configured backend names, never for what a client sent. */
    private String signRemembered(String cookieName, String backendName) {
        String signed = cookieName + '=' + backendName;
        String known = signatures.get(signed);
        if (known != null) {
            return known;
        }
        String signature = sign(cookieName, backendName);
        if (signatures.size() >= MAX_REMEMBERED) {
            signatures.clear();
        }
        signatures.put(signed, signature);
        return signature;
    }
}
