/**
 * Observability: the Exchange HttpProxy-style CSV log writer ({@link io.exgate.metrics.HttpProxyLog}),
 * and later the Micrometer/Prometheus meters.
 */
package io.exgate.metrics;
