package dev.sentinelrelay.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A chat webhook on a JDK HttpServer on loopback that can fail on purpose: each path answers the statuses queued
 * for it, then its default status, optionally after a delay (longer than the relay's timeout: a receiver that
 * times out). Records every request and the bodies it accepted; what it reports starts at its mark ({@link #mark()}),
 * so a test sees only the requests it caused.
 */
final class WebhookReceiver implements AutoCloseable {

    record Request(String path, String body, int status) {
    }

    private final HttpServer server;
    private final Deque<Integer> queued = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    /** Requests received before the mark are not reported. */
    private int mark;
    private volatile int defaultStatus = 200;
    private volatile Duration delay = Duration.ZERO;

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    static WebhookReceiver start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        WebhookReceiver receiver = new WebhookReceiver(server);
        server.createContext("/", receiver::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "webhook-" + port);
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return receiver;
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The next requests get these statuses, in order; then the default. */
    synchronized void queue(int... statuses) {
        for (int s : statuses) {
            queued.add(s);
        }
    }

    void defaultStatus(int status) {
        defaultStatus = status;
    }

    void delay(Duration delay) {
        this.delay = delay;
    }

    /** From now on only the requests received after this moment are reported: call it when a test begins. */
    synchronized void mark() {
        mark = requests.size();
    }

    /** The requests received since the mark. */
    synchronized List<Request> requests() {
        return List.copyOf(requests.subList(mark, requests.size()));
    }

    /** Bodies answered with 2xx since the mark. */
    synchronized List<String> accepted(String pathPrefix) {
        return requests().stream().filter(r -> r.path.startsWith(pathPrefix) && r.status / 100 == 2).map(Request::body).toList();
    }

    synchronized long count(String pathPrefix) {
        return requests().stream().filter(r -> r.path.startsWith(pathPrefix)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int status;
        synchronized (this) {
            Integer next = queued.poll();
            status = next != null ? next : defaultStatus;
            requests.add(new Request(exchange.getRequestURI().getPath(), body, status));
        }
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] answer = (status / 100 == 2 ? "ok" : "error " + status).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        } catch (IOException e) {
            // the relay gave up waiting (the timing-out receiver)
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
