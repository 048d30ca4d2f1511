package io.exgate.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendPoolTest {
    @Test
    void spreadsRequestsOverEveryBackendInTurn() {
        Backend a = new Backend("ex1", "http", "127.0.0.1", 8081);
        Backend b = new Backend("ex2", "https", "ex2.lab.local", 443);
        BackendPool pool = new BackendPool(List.of(a, b));
        List<Backend> picked = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            picked.add(pool.pick());
        }
        assertThat(picked).containsExactly(a, b, a, b);
        assertThat(b.url()).isEqualTo("https://ex2.lab.local:443");
    }
}
