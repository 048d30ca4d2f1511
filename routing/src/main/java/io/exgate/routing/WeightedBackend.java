package io.exgate.routing;

/** A backend with its share of a protocol's keys: weight 2 takes twice the keys of weight 1. */
public record WeightedBackend(Backend backend, int weight) {
    public WeightedBackend {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1: " + weight);
        }
    }
}
