package io.exgate.e2e;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol with the JDK's own WebSocket client:
 * a real browser loading and clicking a page, with nothing to download at test time.
 */
final class HeadlessChromium implements AutoCloseable {
    private final Process process;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    HeadlessChromium(Path profile, String url) throws Exception {
        process = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, url).redirectErrorStream(true).redirectOutput(profile.resolveSibling("chromium.log").toFile())
                .start();
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IllegalStateException("Chromium did not start; see " + profile.resolveSibling("chromium.log"));
            }
            Thread.sleep(100);
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
        HttpClient http = HttpClient.newHttpClient();
        String pageSocket = null;
        while (pageSocket == null) {
            JsonArray targets = new JsonArray(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            for (Object t : targets) {
                JsonObject target = (JsonObject) t;
                if ("page".equals(target.getString("type"))) {
                    pageSocket = target.getString("webSocketDebuggerUrl");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no page target in Chromium");
            }
            Thread.sleep(100);
        }
        socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
            private final StringBuilder message = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                message.append(data);
                if (last) {
                    JsonObject reply = new JsonObject(message.toString());
                    message.setLength(0);
                    CompletableFuture<JsonObject> f = reply.containsKey("id") ? pending.remove(reply.getInteger("id")) : null;
                    if (f != null) {
                        f.complete(reply);
                    }
                }
                ws.request(1);
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
    }

    /** Evaluates a JavaScript expression in the page and returns its value. */
    Object evaluate(String expression) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonObject> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(new JsonObject().put("id", id).put("method", "Runtime.evaluate")
                .put("params", new JsonObject().put("expression", expression).put("returnByValue", true)).encode(), true);
        JsonObject result = reply.get(30, TimeUnit.SECONDS).getJsonObject("result").getJsonObject("result");
        return result == null ? null : result.getValue("value");
    }

    /** Waits until the expression is true in the page. */
    void await(String expression, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Boolean.TRUE.equals(evaluate(expression))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true in the page within " + timeout + ": " + expression
                        + "\npage text: " + evaluate("document.body.innerText"));
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws Exception {
        if (socket != null) {
            socket.abort();
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
