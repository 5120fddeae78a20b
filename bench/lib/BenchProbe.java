import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One probe through an HAProxy frontend, as the benchmarks measure "HAProxy holds the new master": a fresh client
 * connection, and which Redis server it reached, if that server is a master. Compiled by bench/lib/bench.sh next to
 * BenchSentinels, for the same reason (single-file programs cannot share a source file).
 */
public final class BenchProbe {

    /** What makes the server reached count: it accepted a write ({@code SET}), or it answers {@code ROLE} master. */
    public enum Check {
        WRITE("*3\r\n$3\r\nSET\r\n$13\r\nbench:latency\r\n$5\r\nprobe\r\n"),
        ROLE("*1\r\n$4\r\nROLE\r\n");

        // INFO server names the port of the server reached; the check's command follows in the same write,
        // pipelined, so a probe costs one round trip after the connect.
        private final byte[] request;

        Check(String command) {
            request = ("*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n" + command).getBytes(StandardCharsets.US_ASCII);
        }

        /** The check's reply, its first line read: a replica answers SET with -READONLY and ROLE with "slave". */
        boolean passed(InputStream in) throws IOException {
            return switch (this) {
                case WRITE -> readLine(in).equals("+OK");
                case ROLE -> readLine(in).startsWith("*") && readBulk(in).equals("master\r\n");
            };
        }
    }

    public static final int TIMEOUT_MS = 1000;
    private static final Pattern TCP_PORT = Pattern.compile("(?m)^tcp_port:(\\d+)");

    private BenchProbe() {
    }

    /**
     * The port of the server reached if it passed {@code check}, 0 if a server was reached but failed it, -1 if no
     * server answered (HAProxy closed the connection, a timeout, or an error reply to INFO such as -LOADING).
     */
    public static int probe(InetSocketAddress frontend, Check check) {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            // Close with a reset: thousands of probes a second would otherwise fill the port range with TIME_WAIT.
            socket.setSoLinger(true, 0);
            socket.connect(frontend, TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(check.request);
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            int port = tcpPort(readBulk(in));
            boolean passed = check.passed(in);
            return port <= 0 ? -1 : passed ? port : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    private static int tcpPort(String info) {
        Matcher m = TCP_PORT.matcher(info);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** A RESP bulk string with its CRLF; an error reply (e.g. -LOADING) reads as empty. */
    private static String readBulk(InputStream in) throws IOException {
        String header = readLine(in);
        if (!header.startsWith("$")) {
            return "";
        }
        byte[] data = in.readNBytes(Integer.parseInt(header.substring(1)) + 2); // + CRLF
        return new String(data, StandardCharsets.US_ASCII);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c == -1) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
