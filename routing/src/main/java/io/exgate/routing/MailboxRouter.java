package io.exgate.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Decides where each request goes, without state shared between exgate instances, in this order: an
 * RPC endpoint naming a configured backend; exgate's signed affinity cookie (a session stays where it
 * was placed); the mailbox map; this instance's sticky table (for clients that return no cookie, such
 * as RPC channels); rendezvous hashing of the key; for requests without a key, the least busy backend. Only configured, available backends are ever chosen.
 */
public final class MailboxRouter {
    private final Routes routes;
    private final AffinityCookie cookies;
    private final Supplier<MailboxMap> mailboxMap;
    private final StickyTable sticky;
    private final BackendHealth health;
    private final OutstandingRequests outstanding;

    public MailboxRouter(Routes routes, AffinityCookie cookies, Supplier<MailboxMap> mailboxMap, StickyTable sticky,
                         BackendHealth health, OutstandingRequests outstanding) {
        this.routes = routes;
        this.cookies = cookies;
        this.mailboxMap = mailboxMap;
        this.sticky = sticky;
        this.health = health;
        this.outstanding = outstanding;
    }

    public OutstandingRequests outstanding() {
        return outstanding;
    }

    public RoutingDecision route(String method, RequestTarget target, Function<String, String> header,
                                 Function<String, String> cookie) throws BadRoutingInputException, NoBackendAvailableException {
        return route(method, target, header, cookie, null);
    }

    /**
     * As {@link #route(String, RequestTarget, Function, Function)}; {@code boundAuthClient} is the client's
     * address when the request starts a connection-bound handshake, used as the key when there is none.
     */
    public RoutingDecision route(String method, RequestTarget target, Function<String, String> header,
                                 Function<String, String> cookie, String boundAuthClient)
            throws BadRoutingInputException, NoBackendAvailableException {
        Classification c = Classifier.classify(method, target.path(), header);
        RoutingKey key = RoutingKeys.extract(c, target, header);
        if (!key.isPresent() && boundAuthClient != null) {
            key = new RoutingKey(RoutingKey.Kind.CLIENT_ADDRESS, boundAuthClient);
        }
        Eligible eligible = eligible(c);
        List<WeightedBackend> candidates = eligible.available();
        List<WeightedBackend> open = eligible.open();
        if (candidates.isEmpty()) {
            throw new NoBackendAvailableException("no backend is available for " + c.protocol().virtualDirectory().path());
        }
        // A MAPI Connect or Bind starts a session: only a backend taking new sessions may have it.
        List<WeightedBackend> placed = isNewSession(c) ? open : candidates;
        String cookieName = AffinityCookie.nameFor(key);
        boolean rejected = false;

        Backend chosen = null;
        RoutingDecision.Reason reason = null;
        if (key.kind() == RoutingKey.Kind.RPC_SERVER) {
            chosen = byServerName(open, key.value());
            reason = RoutingDecision.Reason.RPC_SERVER;
        }
        if (chosen == null) {
            String value = cookie.apply(cookieName);
            if (value != null) {
                Optional<String> named = cookies.verify(cookieName, value, n -> byName(candidates, n) != null);
                if (named.isEmpty()) {
                    rejected = true;
                } else {
                    chosen = byName(placed, named.get());
                    reason = RoutingDecision.Reason.COOKIE;
                }
            }
        }
        if (chosen == null) {
            // The map says where the mailbox's database is active now: it outranks this instance's memory.
            chosen = mailboxMap.get().lookup(key).map(n -> byName(open, n)).orElse(null);
            reason = RoutingDecision.Reason.MAILBOX_MAP;
        }
        if (chosen == null && key.isPresent()) {
            chosen = sticky.get(key).map(n -> byName(placed, n)).orElse(null);
            reason = RoutingDecision.Reason.STICKY;
        }
        if (chosen == null && open.isEmpty()) {
            throw new NoBackendAvailableException("every backend for " + c.protocol().virtualDirectory().path()
                    + " is draining: no new sessions can be placed");
        }
        List<Backend> order;
        if (open.isEmpty()) {
            order = List.of(chosen);
        } else if (key.isPresent()) {
            order = RendezvousHash.rank(key.value(), open);
            if (chosen == null) {
                chosen = order.get(0);
                reason = RoutingDecision.Reason.HASH;
            }
        } else {
            order = leastOutstandingFirst(open);
            if (chosen == null) {
                chosen = order.get(0);
                reason = RoutingDecision.Reason.LEAST_OUTSTANDING;
            }
        }
        List<Backend> fallbacks = new ArrayList<>(order);
        fallbacks.remove(chosen);
        return decide(c, key, chosen, reason, fallbacks, cookieName, rejected);
    }

    private static boolean isNewSession(Classification c) {
        return (c.protocol() == ExchangeProtocol.MAPI_EMSMDB && "Connect".equals(c.action()))
                || (c.protocol() == ExchangeProtocol.MAPI_NSPI && "Bind".equals(c.action()));
    }

    /** The decision for the next backend in order after a connect failure, or empty when there is none. */
    public Optional<RoutingDecision> retry(RoutingDecision failed) {
        if (failed.fallbacks().isEmpty() || failed.reason() == RoutingDecision.Reason.RETRY) {
            return Optional.empty();
        }
        Backend next = failed.fallbacks().get(0);
        return Optional.of(decide(failed.classification(), failed.key(), next, RoutingDecision.Reason.RETRY, List.of(),
                AffinityCookie.nameFor(failed.key()), failed.rejectedCookie()));
    }

    private RoutingDecision decide(Classification c, RoutingKey key, Backend chosen, RoutingDecision.Reason reason,
                                   List<Backend> fallbacks, String cookieName, boolean rejected) {
        if (key.isPresent() && (c.protocol() == ExchangeProtocol.RPC || c.protocol() == ExchangeProtocol.MAPI_EMSMDB
                || c.protocol() == ExchangeProtocol.MAPI_NSPI)) {
            sticky.put(key, chosen.name());
        }
        String setCookie = c.protocol().keepsSessions() && reason != RoutingDecision.Reason.COOKIE
                && reason != RoutingDecision.Reason.RPC_SERVER
                ? cookieName + "=" + cookies.value(cookieName, chosen.name()) : null;
        return new RoutingDecision(c, key, chosen, reason, fallbacks, setCookie, rejected);
    }

    /** A protocol's backends that may take requests of placed sessions, and those that may take new ones. */
    private record Eligible(List<WeightedBackend> available, List<WeightedBackend> open) {
    }

    private Eligible eligible(Classification c) {
        List<WeightedBackend> all = routes.forDirectory(c.protocol().virtualDirectory());
        List<WeightedBackend> available = null; // while every backend takes everything, the route's own list is the answer
        List<WeightedBackend> open = null;
        for (int i = 0; i < all.size(); i++) {
            BackendHealth.Admission admission = health.admission(all.get(i).backend(), c.protocol());
            if (admission != BackendHealth.Admission.ALL && available == null) {
                available = new ArrayList<>(all.subList(0, i));
                open = new ArrayList<>(all.subList(0, i));
            }
            if (available != null) {
                if (admission != BackendHealth.Admission.NONE) {
                    available.add(all.get(i));
                }
                if (admission == BackendHealth.Admission.ALL) {
                    open.add(all.get(i));
                }
            }
        }
        return available == null ? new Eligible(all, all) : new Eligible(available, open);
    }

    private List<Backend> leastOutstandingFirst(List<WeightedBackend> candidates) {
        // A random start breaks ties, so idle backends share keyless requests instead of the first taking all.
        int offset = ThreadLocalRandom.current().nextInt(candidates.size());
        List<Backend> rotated = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            rotated.add(candidates.get((i + offset) % candidates.size()).backend());
        }
        rotated.sort(Comparator.comparingInt(outstanding::of));
        return rotated;
    }

    private static Backend byName(List<WeightedBackend> candidates, String name) {
        for (WeightedBackend b : candidates) {
            if (b.backend().name().equalsIgnoreCase(name)) {
                return b.backend();
            }
        }
        return null;
    }

    private static boolean isIpv4(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /** A configured backend the RPC endpoint names, by backend name, host name or the host's first label. */
    private static Backend byServerName(List<WeightedBackend> candidates, String server) {
        String s = server.toLowerCase(Locale.ROOT);
        for (WeightedBackend wb : candidates) {
            Backend b = wb.backend();
            String host = b.host().toLowerCase(Locale.ROOT);
            int dot = host.indexOf('.');
            String shortHost = dot > 0 && !isIpv4(host) ? host.substring(0, dot) : host;
            if (b.name().equalsIgnoreCase(s) || host.equals(s) || shortHost.equals(s)) {
                return b;
            }
        }
        return null;
    }
}
