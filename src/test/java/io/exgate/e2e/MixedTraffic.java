package io.exgate.e2e;

import io.exgate.metrics.HttpProxyField;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/** Short requests of every kind Outlook and browsers send, each with its own request id; and the HttpProxy logs they leave. */
final class MixedTraffic {
    private MixedTraffic() {
    }

    /** The protocols of the mix, with the HttpProxy log folder each one's lines go to. */
    enum Protocol {
        MAPI("Mapi"), EWS("Ews"), OWA("Owa"), RPC("RpcHttp"), AUTODISCOVER("Autodiscover");

        final String folder;

        Protocol(String folder) {
            this.folder = folder;
        }
    }

    /** MAPI request types in turn; the backend decides how long a NotificationWait is held. */
    private static final String[] MAPI_TYPES = {"Connect", "Execute", "Execute", "NotificationWait", "Execute", "Execute", "Disconnect"};

    /** The mailbox of client {@code client}: a few distinct routing keys. */
    static String mailbox(int client) {
        return String.format(Locale.ROOT, "5e8d6a2c-0b9a-4e27-9c9e-%012d@contoso.com", client);
    }

    /** One short request of the protocol; {@code seq} varies the details. The request id is sent as X-Request-Id. */
    static byte[] request(Protocol protocol, String requestId, int client, long seq) {
        String mailbox = mailbox(client);
        String common = "Host: outlook.example.com\r\nX-Request-Id: " + requestId + "\r\n";
        String text = switch (protocol) {
            case MAPI -> {
                String body = "rop-buffer-" + seq;
                yield "POST /mapi/emsmdb/?MailboxId=" + mailbox + " HTTP/1.1\r\n" + common
                        + "Content-Type: application/mapi-http\r\n"
                        + "X-RequestType: " + MAPI_TYPES[(int) (seq % MAPI_TYPES.length)] + "\r\n"
                        + "X-RequestId: {9E1C4A2B-7D3E-4F5A-B6C7-D8E9F0A1B2C3}:" + seq + "\r\n"
                        + "X-ClientInfo: {2F2A4A5E-1D3C-4E5F-8A9B-0C1D2E3F4A5B}:" + client + "\r\n"
                        + "User-Agent: Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            }
            case EWS -> {
                String body = "<soap:Envelope><soap:Body><GetFolder seq=\"" + seq + "\"/></soap:Body></soap:Envelope>";
                yield "POST /EWS/Exchange.asmx HTTP/1.1\r\n" + common
                        + "Content-Type: text/xml; charset=utf-8\r\n"
                        + "X-AnchorMailbox: user" + client + "@contoso.com\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            }
            case OWA -> "GET /owa/?ae=Folder&t=IPF.Note&n=" + seq + " HTTP/1.1\r\n" + common
                    + "Accept: text/html\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\r\n";
            // An echo request: a short RTS probe of the RPC path, answered at once.
            case RPC -> "RPC_IN_DATA /rpc/rpcproxy.dll?" + mailbox + ":6001 HTTP/1.1\r\n" + common
                    + "Accept: application/rpc\r\nUser-Agent: MSRPC\r\nContent-Length: 0\r\n\r\n";
            case AUTODISCOVER -> {
                String body = "<Autodiscover><Request><EMailAddress>user" + client + "@contoso.com</EMailAddress></Request></Autodiscover>";
                yield "POST /autodiscover/autodiscover.xml HTTP/1.1\r\n" + common
                        + "Content-Type: text/xml\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            }
        };
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Every data line of the HttpProxy logs of one protocol folder, all files, checked to have the 74 fields. */
    static List<CSVRecord> logLines(Path logs, String folder) throws Exception {
        Path dir = logs.resolve("HttpProxy").resolve(folder);
        List<CSVRecord> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        String header = Arrays.stream(HttpProxyField.values()).map(HttpProxyField::headerName).collect(Collectors.joining(","));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.isEmpty() || !lines.get(0).equals(header)) {
                    throw new AssertionError(file + " does not start with the HttpProxy header row");
                }
                String data = lines.stream().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\r\n"));
                try (Reader r = new StringReader(data)) {
                    for (CSVRecord record : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
                        if (record.size() != HttpProxyField.values().length) {
                            throw new AssertionError(file + " line " + record.getRecordNumber() + " has " + record.size() + " fields");
                        }
                        out.add(record);
                    }
                }
            }
        }
        return out;
    }
}
