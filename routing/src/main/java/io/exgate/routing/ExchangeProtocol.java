package io.exgate.routing;

/**
 * The Exchange protocol a request speaks. MAPI over HTTP has two endpoints under {@code /mapi}:
 * EMSMDB (the mailbox) and NSPI (the address book); anything else under {@code /mapi} (such as its
 * {@code healthcheck.htm}) is plain {@link #MAPI}.
 */
public enum ExchangeProtocol {
    MAPI_EMSMDB(VirtualDirectory.MAPI),
    MAPI_NSPI(VirtualDirectory.MAPI),
    MAPI(VirtualDirectory.MAPI),
    RPC(VirtualDirectory.RPC),
    OWA(VirtualDirectory.OWA),
    EWS(VirtualDirectory.EWS),
    AUTODISCOVER(VirtualDirectory.AUTODISCOVER),
    ACTIVESYNC(VirtualDirectory.ACTIVESYNC),
    OAB(VirtualDirectory.OAB),
    ECP(VirtualDirectory.ECP),
    POWERSHELL(VirtualDirectory.POWERSHELL);

    private final VirtualDirectory virtualDirectory;

    ExchangeProtocol(VirtualDirectory virtualDirectory) {
        this.virtualDirectory = virtualDirectory;
    }

    public VirtualDirectory virtualDirectory() {
        return virtualDirectory;
    }

    /** Protocols whose servers keep per-session state, where an affinity cookie keeps a client in place. */
    public boolean keepsSessions() {
        return this != AUTODISCOVER && this != OAB;
    }
}
