package io.exgate.routing;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Which backends, with which weights, serve each virtual directory. By default every one serves all. */
public final class Routes {
    private final List<Backend> backends;
    private final Map<VirtualDirectory, List<WeightedBackend>> byDirectory;

    public Routes(List<Backend> backends, Map<VirtualDirectory, List<WeightedBackend>> byDirectory) {
        this.backends = List.copyOf(backends);
        EnumMap<VirtualDirectory, List<WeightedBackend>> m = new EnumMap<>(VirtualDirectory.class);
        for (VirtualDirectory v : VirtualDirectory.values()) {
            List<WeightedBackend> list = byDirectory.get(v);
            if (list == null || list.isEmpty()) {
                throw new IllegalArgumentException("no backends for " + v.path());
            }
            m.put(v, List.copyOf(list));
        }
        this.byDirectory = m;
    }

    /** Every backend, weight 1, for every virtual directory. */
    public static Routes uniform(List<Backend> backends) {
        List<WeightedBackend> all = backends.stream().map(b -> new WeightedBackend(b, 1)).toList();
        Map<VirtualDirectory, List<WeightedBackend>> m = new EnumMap<>(VirtualDirectory.class);
        for (VirtualDirectory v : VirtualDirectory.values()) {
            m.put(v, all);
        }
        return new Routes(backends, m);
    }

    public List<Backend> backends() {
        return backends;
    }

    public List<WeightedBackend> forDirectory(VirtualDirectory v) {
        return byDirectory.get(v);
    }
}
