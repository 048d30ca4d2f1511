package io.exgate.proxy.probe;

import io.exgate.routing.VirtualDirectory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;

/** Runs the steps in order, as a client meets them: DNS, TCP, TLS, then one request per check on connections of their own. */
final class FrontDoorProbe {
    private FrontDoorProbe() {
    }

    static ProbeReport run(ProbeSettings settings, Clock clock) throws GeneralSecurityException {
        Target target = settings.target();
        DnsResult dns = NameResolution.resolve(target, settings.override(), settings.timeout());
        if (dns.failed()) {
            return new ProbeReport(target, clock.instant(), dns, null, null, List.of(), List.of(), "DNS failed");
        }
        FrontDoor door = new FrontDoor(target, settings.trust(), settings.timeout());
        Connected connected = connect(door, dns.addresses());
        if (connected.socket == null) {
            return new ProbeReport(target, clock.instant(), dns, connected.tcp, null, List.of(), List.of(), "TCP connection failed");
        }
        TlsResult tls = handshake(door, connected.socket, settings.trust());
        String skipped = null;
        if (tls.failed()) {
            skipped = "TLS handshake failed";
        } else if (!tls.trusted() && settings.trust().verifier().isPresent()) {
            // As curl would: no request to a server the client cannot trust. --insecure overrides.
            skipped = "the certificate is not trusted for " + target.host() + " (--insecure probes anyway)";
        }
        if (skipped != null) {
            return new ProbeReport(target, clock.instant(), dns, connected.tcp, tls, List.of(), List.of(), skipped);
        }
        InetSocketAddress address = connected.address;
        List<HealthcheckResult> healthchecks = new ArrayList<>();
        for (VirtualDirectory vdir : settings.vdirs()) {
            healthchecks.add(HealthcheckRequest.check(door, address, vdir));
        }
        List<ChallengeResult> challenges = new ArrayList<>();
        if (settings.vdirs().contains(VirtualDirectory.MAPI)) {
            challenges.add(AnonymousChallenge.mapi(door, address));
        }
        if (settings.vdirs().contains(VirtualDirectory.RPC)) {
            challenges.add(AnonymousChallenge.rpc(door, address));
        }
        return new ProbeReport(target, clock.instant(), dns, connected.tcp, tls, List.copyOf(healthchecks),
                List.copyOf(challenges), null);
    }

    private record Connected(TcpResult tcp, Socket socket, InetSocketAddress address) {
    }

    /** Tries the addresses in the resolver's order, as clients do, and keeps the first that accepts. */
    private static Connected connect(FrontDoor door, List<InetAddress> addresses) {
        List<String> failures = new ArrayList<>();
        String last = "";
        long start = System.nanoTime();
        for (InetAddress ip : addresses) {
            InetSocketAddress address = new InetSocketAddress(ip, door.target().port());
            last = Addresses.text(address);
            long attempt = System.nanoTime();
            try {
                Socket socket = door.connect(address);
                return new Connected(new TcpResult(last, Elapsed.millisSince(attempt), null), socket, address);
            } catch (IOException e) {
                failures.add(last + ": " + door.failure(e));
            }
        }
        return new Connected(new TcpResult(last, Elapsed.millisSince(start), String.join("; ", failures)), null, null);
    }

    private static TlsResult handshake(FrontDoor door, Socket socket, CertificateTrust trust) {
        long start = System.nanoTime();
        try (SSLSocket tls = door.handshake(socket)) {
            return TlsInspection.of(tls, door, trust, Elapsed.millisSince(start));
        } catch (IOException e) {
            return TlsResult.failure(Elapsed.millisSince(start), door.failure(e));
        }
    }
}
