/**
 * Observability: Micrometer/Prometheus meters and the Exchange HttpProxy-style CSV log writer
 * (issue 6). Empty until then.
 */
package io.exgate.metrics;
