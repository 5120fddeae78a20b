import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What HAProxy holds, asked from HAProxy's side: one runtime API session in interactive mode ({@code prompt}: the
 * connection stays open, every answer ends with the prompt {@code "\n> "}) on HAProxy's unix socket, and the server
 * entries of {@code show servers state}. A unix socket, not TCP: on TCP an answer that HAProxy sends in two writes
 * (the text, then the prompt) can wait for the client's delayed acknowledgement (Nagle), tens of milliseconds. One command reads every backend at once, so a benchmark can watch many masters on one
 * connection, without opening client connections through the frontends. Compiled by bench/lib/bench.sh next to
 * BenchSentinels, for the same reason (single-file programs cannot share a source file).
 */
public final class BenchHaproxy implements AutoCloseable {

    private static final byte[] PROMPT = "\n> ".getBytes(StandardCharsets.US_ASCII);

    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[64 * 1024];

    /** Opens an interactive session on the runtime API at {@code socket} (a unix stats socket). */
    public BenchHaproxy(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        in = Channels.newInputStream(channel);
        out = Channels.newOutputStream(channel);
        command("prompt");
    }

    /** Sends one command and returns its answer, without the prompt that ends it. */
    public String command(String command) throws IOException {
        out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        while (!endsWithPrompt(answer)) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new IOException("HAProxy closed the runtime API session");
            }
            answer.write(buffer, 0, n);
        }
        String text = answer.toString(StandardCharsets.US_ASCII);
        return text.substring(0, text.length() - PROMPT.length);
    }

    private static boolean endsWithPrompt(ByteArrayOutputStream answer) {
        if (answer.size() < PROMPT.length) {
            return false;
        }
        byte[] bytes = answer.toByteArray();
        for (int i = 0; i < PROMPT.length; i++) {
            if (bytes[bytes.length - PROMPT.length + i] != PROMPT[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Backend name → "addr:port admin_state" of its server entry named {@code server}, from a
     * {@code show servers state} answer, by the header's column names.
     */
    public static Map<String, String> serverEntries(String showServersState, String server) {
        Map<String, Integer> column = new HashMap<>();
        Map<String, String> entries = new HashMap<>();
        for (String line : showServersState.split("\n")) {
            String[] fields = line.trim().split(" ");
            if (line.startsWith("# ")) {
                for (int i = 1; i < fields.length; i++) {
                    column.put(fields[i], i - 1);
                }
            } else if (column.containsKey("srv_name") && fields.length > column.get("srv_port")
                    && fields[column.get("srv_name")].equals(server)) {
                entries.put(fields[column.get("be_name")], fields[column.get("srv_addr")] + ":"
                        + fields[column.get("srv_port")] + " " + fields[column.get("srv_admin_state")]);
            }
        }
        return entries;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
