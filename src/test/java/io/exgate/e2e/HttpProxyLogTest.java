package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.metrics.HttpProxyField;
import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HttpProxy logs a mixed workload leaves behind, read back the way administrators' tools read them. */
class HttpProxyLogTest {
    @TempDir
    Path dir;

    private static List<CSVRecord> read(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String header = Arrays.stream(HttpProxyField.values()).map(HttpProxyField::headerName).collect(Collectors.joining(","));
        assertThat(lines.get(0)).isEqualTo(header);
        assertThat(lines.get(1)).isEqualTo("#Software: exgate");
        assertThat(lines.get(3)).isEqualTo("#Log-type: HttpProxy Logs");
        assertThat(lines.get(5)).isEqualTo("#Fields: " + header);
        String data = Files.readString(file, StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#"))
                .collect(Collectors.joining("\r\n"));
        try (Reader r = new StringReader(data)) {
            List<CSVRecord> records = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r).getRecords();
            records.forEach(rec -> assertThat(rec.size()).isEqualTo(74));
            return records;
        }
    }

    static List<CSVRecord> folder(Path logs, String name) throws Exception {
        Path f = logs.resolve("HttpProxy").resolve(name);
        if (!Files.isDirectory(f)) {
            return List.of();
        }
        List<CSVRecord> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(f)) {
            for (Path p : files.sorted().toList()) {
                assertThat(p.getFileName().toString()).matches("HttpProxy_\\d{10}-\\d+\\.LOG");
                out.addAll(read(p));
            }
        }
        return out;
    }

    @Test
    void aMixedWorkloadLeavesOneParsableLinePerRequestInEachProtocolsFolder() throws Exception {
        Lab lab = new Lab(dir);
        try {
            SimulatedMailboxServer ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike()
                    .withPendingPeriod(Duration.ofMillis(100)).withNotificationWait(Duration.ofMillis(400)).withStrictSessions(false));
            lab.startExgate(List.of(lab.simulator(ex1)), "logs:\n  directory: logs\n");
            String mailbox = "5e8d6a2c-0b9a-4e27-9c9e-2f1d9a6b7c31@contoso.com";
            for (String type : List.of("Connect", "Execute", "NotificationWait")) {
                lab.fetch(new RequestOptions().setMethod(HttpMethod.POST).setURI("/mapi/emsmdb/?MailboxId=" + mailbox)
                        .putHeader("X-RequestType", type).putHeader("X-RequestId", "{E2E}:" + type)
                        .putHeader("X-ClientInfo", "{CI},1").putHeader("User-Agent", "Microsoft Office/16.0, \"quoted\""), Buffer.buffer("0123456789"));
            }
            lab.fetch(new RequestOptions().setMethod(HttpMethod.valueOf("RPC_IN_DATA")).setURI("/rpc/rpcproxy.dll?" + mailbox + ":6001")
                    .putHeader("Content-Length", "0"), null);
            lab.fetch(HttpMethod.GET, "/owa/");
            lab.fetch(new RequestOptions().setMethod(HttpMethod.POST).setURI("/EWS/Exchange.asmx")
                    .putHeader("X-AnchorMailbox", "alice@contoso.com").putHeader("Authorization", "Basic YWxpY2U6eA=="), Buffer.buffer("<soap/>"));
            lab.fetch(HttpMethod.POST, "/mapi/emsmdb/?MailboxId=%ff");
        } finally {
            lab.close(); // A graceful stop writes every queued line.
        }
        Path logs = dir.resolve("logs");
        List<CSVRecord> mapi = folder(logs, "Mapi");
        assertThat(mapi).hasSize(4);
        CSVRecord wait = mapi.stream().filter(r -> r.get("ProtocolAction").equals("NotificationWait")).findFirst().orElseThrow();
        assertThat(wait.get("Protocol")).isEqualTo("Mapi");
        assertThat(wait.get("HttpStatus")).isEqualTo("200");
        assertThat(wait.get("BackEndStatus")).isEqualTo("200");
        assertThat(wait.get("Method")).isEqualTo("POST");
        assertThat(wait.get("TargetServer")).isEqualTo("127.0.0.1");
        assertThat(wait.get("RoutingHint")).isEqualTo("MailboxId");
        assertThat(wait.get("AnchorMailbox")).isEqualTo("MailboxId~5e8d6a2c-0b9a-4e27-9c9e-2f1d9a6b7c31@contoso.com");
        assertThat(wait.get("ClientRequestId")).isEqualTo("R:{E2E}:NotificationWait;CI:{CI},1;RT:NotificationWait");
        assertThat(wait.get("UserAgent")).isEqualTo("Microsoft Office/16.0, \"quoted\"");
        assertThat(wait.get("UrlStem")).isEqualTo("/mapi/emsmdb/");
        assertThat(wait.get("UrlQuery")).isEqualTo("?MailboxId=" + "5e8d6a2c-0b9a-4e27-9c9e-2f1d9a6b7c31@contoso.com");
        assertThat(wait.get("RequestBytes")).isEqualTo("10");
        assertThat(Long.parseLong(wait.get("ResponseBytes"))).isGreaterThan(20);
        assertThat(Long.parseLong(wait.get("TotalRequestTime"))).isGreaterThanOrEqualTo(300);
        assertThat(wait.get("ClientIpAddress")).isEqualTo("127.0.0.1");
        assertThat(wait.get("DateTime")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        CSVRecord bad = mapi.stream().filter(r -> r.get("HttpStatus").equals("400")).findFirst().orElseThrow();
        assertThat(bad.get("ErrorCode")).isEqualTo("BadRoutingInput");
        assertThat(bad.get("BackEndStatus")).isEmpty();

        CSVRecord rpc = folder(logs, "RpcHttp").get(0);
        assertThat(rpc.get("ProtocolAction")).isEqualTo("Echo");
        assertThat(rpc.get("Method")).isEqualTo("RPC_IN_DATA");
        assertThat(rpc.get("ResponseBytes")).isEqualTo("20");
        CSVRecord ews = folder(logs, "Ews").get(0);
        assertThat(ews.get("AuthenticationType")).isEqualTo("Basic");
        assertThat(ews.get("RoutingHint")).isEqualTo("AnchorMailbox");
        assertThat(ews.get("RequestBytes")).isEqualTo("7");
        assertThat(folder(logs, "Owa")).hasSize(1);
        assertThat(folder(logs, "Owa").get(0).get("RoutingType")).isEqualTo("LeastOutstanding");
    }
}
