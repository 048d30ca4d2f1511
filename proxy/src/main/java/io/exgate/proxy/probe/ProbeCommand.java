package io.exgate.proxy.probe;

import io.exgate.routing.VirtualDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code exgate probe URL}: checks a mail front door from the outside, as an administrator would, without credentials. */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check a mail front door from the outside, as an admin would.",
            "Checks an Exchange-style front door (exgate, Exchange or another balancer) as a client meets it: "
            + "DNS, TCP, TLS (protocol, cipher, chain, name, expiry, OCSP staple), GET /<vdir>/healthcheck.htm "
            + "per virtual directory, and the authentication MAPI over HTTP and RPC over HTTP offer. "
            + "Never sends credentials."},
        footer = {"", "Exit codes: 0 all good; 1 warning: a certificate expires within 30 days, or MAPI or RPC "
            + "answers without asking for authentication; 2 critical: DNS, TCP or TLS failure, untrusted chain, "
            + "name not covered, expired certificate, a virtual directory failing its healthcheck, MAPI or RPC "
            + "not answering or answering 5xx. Usage errors exit 2 too, with the message on standard error "
            + "and nothing on standard output."})
public final class ProbeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL", converter = Target.Converter.class,
            description = "the front door, https://host[:port]; any path is ignored")
    Target target;

    @Option(names = "--vdirs", split = ",", paramLabel = "VDIR", converter = VirtualDirectoryConverter.class,
            defaultValue = "mapi,rpc,owa,ews,autodiscover,activesync,oab,ecp,powershell",
            description = "virtual directories to check, comma-separated (default: all): mapi, rpc, owa, ews, "
                    + "autodiscover, activesync, oab, ecp, powershell; mapi and rpc also get the request without credentials")
    List<VirtualDirectory> vdirs;

    @Option(names = "--resolve", paramLabel = "HOST:IP",
            converter = AddressOverride.Converter.class,
            description = "connect to IP instead of asking DNS for HOST, as curl's --resolve (HOST:PORT:IP too); "
                    + "SNI, the Host header and the name check keep HOST")
    AddressOverride resolve;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    TrustOptions trust;

    @Option(names = "--json", description = "print one JSON object instead of the table")
    boolean json;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", converter = TimeoutConverter.class,
            description = "limit of each step (DNS, TCP, TLS, each request), such as 500ms, 5s or 1m (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Spec
    CommandSpec spec;

    /** How the server's chain is verified: the JDK's trust store unless one of these is given. */
    static final class TrustOptions {
        @Option(names = "--ca", paramLabel = "FILE",
                description = "verify the chain against these PEM CA certificates instead of the JDK trust store")
        Path ca;

        @Option(names = {"-k", "--insecure"},
                description = "do not verify the chain (it is still shown, and the name is still checked)")
        boolean insecure;
    }

    @Override
    public Integer call() throws GeneralSecurityException {
        if (resolve != null && !resolve.host().equals(target.host())) {
            throw new ParameterException(spec.commandLine(), "--resolve names " + resolve.host() + " but the URL names " + target.host());
        }
        if (resolve != null && resolve.port() != 0 && resolve.port() != target.port()) {
            throw new ParameterException(spec.commandLine(), "--resolve names port " + resolve.port() + " but the URL uses " + target.port());
        }
        ProbeSettings settings = new ProbeSettings(target, resolve, vdirs.stream().distinct().toList(), certificateTrust(), timeout);
        ProbeReport report = FrontDoorProbe.run(settings, Clock.systemUTC());
        Assessment assessment = Assessment.of(report);
        if (json) {
            System.out.println(JsonReport.of(report, assessment).encode());
        } else {
            TableReport.print(report, assessment, System.out);
        }
        System.out.flush();
        return assessment.severity().exitCode();
    }

    private CertificateTrust certificateTrust() throws GeneralSecurityException {
        if (trust != null && trust.insecure) {
            return CertificateTrust.insecure();
        }
        if (trust != null && trust.ca != null) {
            try {
                return CertificateTrust.caFile(trust.ca);
            } catch (IOException | GeneralSecurityException e) {
                throw new ParameterException(spec.commandLine(), "--ca " + trust.ca + ": " + FailureText.of(e));
            }
        }
        return CertificateTrust.jdkStore();
    }
}
