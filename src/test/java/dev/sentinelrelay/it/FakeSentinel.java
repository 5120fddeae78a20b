package dev.sentinelrelay.it;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test server that speaks enough RESP to pass for a sentinel: it accepts SUBSCRIBE, answers
 * {@code SENTINEL get-master-addr-by-name} as "unknown master" (or, once told to lie, with a wrong address), and
 * publishes whatever the test tells it to,
 * including payloads a real sentinel would never send (clients cannot PUBLISH on a real sentinel's channels).
 */
final class FakeSentinel implements AutoCloseable {

    private final ServerSocket server;
    private final Set<Socket> subscribers = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    /** What it answers to SENTINEL get-master-addr-by-name; null: "unknown master". */
    private volatile String[] claimedMaster;

    FakeSentinel() throws IOException {
        server = new ServerSocket(Sandbox.freePort(), 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "fake-sentinel");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** From now on, a lying sentinel: it names this server as the master of every master name. */
    void claimMaster(String host, int port) {
        claimedMaster = new String[]{host, String.valueOf(port)};
    }

    boolean hasSubscriber() {
        return !subscribers.isEmpty();
    }

    /** Sends a pub/sub message on {@code channel} to every subscribed connection. */
    void publish(String channel, String payload) throws IOException {
        byte[] frame = array(List.of("message", channel, payload));
        for (Socket s : subscribers) {
            synchronized (s) {
                s.getOutputStream().write(frame);
                s.getOutputStream().flush();
            }
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "fake-sentinel-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            List<String> command;
            while ((command = readCommand(in)) != null) {
                byte[] reply = reply(socket, command);
                synchronized (socket) {
                    out.write(reply);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // connection closed by the relay
        } finally {
            subscribers.remove(socket);
        }
    }

    private byte[] reply(Socket socket, List<String> command) {
        String name = command.get(0).toUpperCase();
        switch (name) {
            case "PING":
                return "+PONG\r\n".getBytes(StandardCharsets.UTF_8);
            case "SUBSCRIBE":
                subscribers.add(socket);
                return confirmations("subscribe", command);
            case "UNSUBSCRIBE":
                return confirmations("unsubscribe", command);
            case "SENTINEL":
                String[] claimed = claimedMaster;
                boolean addrQuery = command.size() > 1 && command.get(1).equalsIgnoreCase("get-master-addr-by-name");
                return addrQuery && claimed != null ? array(List.of(claimed)) : "*-1\r\n".getBytes(StandardCharsets.UTF_8);
            default:
                return ("-ERR unknown command '" + name + "'\r\n").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** One confirmation per channel: [kind, channel, number of subscriptions]. */
    private static byte[] confirmations(String kind, List<String> command) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < command.size(); i++) {
            sb.append("*3\r\n").append(bulk(kind)).append(bulk(command.get(i))).append(':').append(i).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] array(List<String> items) {
        StringBuilder sb = new StringBuilder("*").append(items.size()).append("\r\n");
        items.forEach(i -> sb.append(bulk(i)));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String bulk(String s) {
        return "$" + s.getBytes(StandardCharsets.UTF_8).length + "\r\n" + s + "\r\n";
    }

    /** Reads one RESP array of bulk strings; null at end of stream. */
    private static List<String> readCommand(InputStream in) throws IOException {
        String header = readLine(in);
        if (header == null) {
            return null;
        }
        if (!header.startsWith("*")) {
            return List.of(header.split(" ")); // inline command
        }
        int n = Integer.parseInt(header.substring(1));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = Integer.parseInt(readLine(in).substring(1));
            parts.add(new String(in.readNBytes(len), StandardCharsets.UTF_8));
            readLine(in);
        }
        return parts;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return sb.toString().replaceFirst("\r$", "");
            }
            sb.append((char) c);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : subscribers) {
            s.close();
        }
    }
}
