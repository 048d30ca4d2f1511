package io.exgate.proxy.probe;

import io.exgate.routing.VirtualDirectory;
import java.time.Duration;
import java.util.List;

/**
 * What to probe and how.
 *
 * @param override {@code --resolve}, or null
 * @param timeout  the limit of each step: DNS, TCP, TLS, each request
 */
record ProbeSettings(Target target, AddressOverride override, List<VirtualDirectory> vdirs, CertificateTrust trust,
                     Duration timeout) {
}
