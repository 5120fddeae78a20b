package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process HTTP double of exactly the Consul endpoints the relay and camel-consul's client call (no Consul
 * binary can be installed from the registries this project uses), following Consul's documented HTTP API:
 * <ul>
 *   <li>{@code GET /v1/status/leader} (the client's ping) → {@code "127.0.0.1:8300"}</li>
 *   <li>{@code PUT /v1/catalog/register} → {@code true}; 400 with Consul's message for a body Consul rejects
 *       (not a JSON object, Node or Address missing, wrong types, a service without its name)</li>
 *   <li>{@code PUT /v1/catalog/deregister} → {@code true}; 400 without Node</li>
 *   <li>{@code GET /v1/catalog/service/<name>} → the instances as a JSON array of catalog services (empty when none)</li>
 *   <li>{@code PUT, GET, DELETE /v1/kv/<key>}: {@code true}; the entries with base64 values, or 404</li>
 * </ul>
 * Catalog like Consul's: nodes by name with an address, services per node by ID (registering an ID again replaces
 * it). With a token configured, a catalog or KV request without it ({@code ?token=} or {@code X-Consul-Token}) gets 403
 * "ACL not found". {@code ?dc=} other than the double's datacenter gets 500 "No path to datacenter". It can be
 * stopped and started again on the same port, keeping its state, to play a Consul outage.
 */
final class ConsulDouble implements AutoCloseable {

    static final String DATACENTER = "dc1";
    private static final ObjectMapper JSON = new ObjectMapper();

    final int port;
    private final String token;
    /** node -> address. */
    private final Map<String, String> nodes = new LinkedHashMap<>();
    /** node -> service ID -> the service as registered (ID, Service, Tags, Address, Port). */
    private final Map<String, Map<String, ObjectNode>> services = new LinkedHashMap<>();
    private final Map<String, String> kv = new LinkedHashMap<>();
    private final AtomicLong index = new AtomicLong(1);
    private final List<String> requests = new ArrayList<>();
    /** Answers over https with this context; null for http. */
    private final SSLContext tls;
    private HttpServer server;

    ConsulDouble(int port, String token, SSLContext tls) {
        this.port = port;
        this.token = token;
        this.tls = tls;
    }

    static ConsulDouble start(String token) {
        return start(token, null);
    }

    /** @param tls answer over https with this context (the server's certificate); null for http */
    static ConsulDouble start(String token, SSLContext tls) {
        ConsulDouble consul = new ConsulDouble(Sandbox.freePort(), token, tls);
        consul.start();
        return consul;
    }

    String url() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    /** Starts answering (again, with the same state); does nothing when already running. */
    synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            if (tls == null) {
                server = HttpServer.create(address, 16);
            } else {
                HttpsServer https = HttpsServer.create(address, 16);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** Refuses connections from now on (state kept) until {@link #start()}. */
    synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** The port the catalog answers for the service on {@code node}, or -1 when it has no such instance. */
    synchronized int servicePort(String node, String serviceId) {
        ObjectNode s = services.getOrDefault(node, Map.of()).get(serviceId);
        return s == null ? -1 : s.path("Port").asInt(-1);
    }

    synchronized String kv(String key) {
        return kv.get(key);
    }

    /** Plays an operator's edit: the instance now points elsewhere. */
    synchronized void editServicePort(String node, String serviceId, int port) {
        services.get(node).get(serviceId).put("Port", port);
    }

    /** Method, path and query of every request so far, with any token masked. */
    synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Reply reply;
            synchronized (this) {
                reply = answer(exchange);
            }
            byte[] body = reply.body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", reply.status == 200 ? "application/json" : "text/plain; charset=utf-8");
            // what Consul sends with every read, and what the client parses into its ConsulResponse
            exchange.getResponseHeaders().set("X-Consul-Index", String.valueOf(index.get()));
            exchange.getResponseHeaders().set("X-Consul-Knownleader", "true");
            exchange.getResponseHeaders().set("X-Consul-Lastcontact", "0");
            exchange.sendResponseHeaders(reply.status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        }
    }

    private record Reply(int status, String body) {
    }

    private Reply answer(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        requests.add(method + " " + path + (query.isEmpty() ? "" : " " + masked(query)));
        String given = query.getOrDefault("token", exchange.getRequestHeaders().getFirst("X-Consul-Token"));
        // like Consul, the status endpoints need no token: only the catalog and KV are ACL-protected
        if (token != null && !token.equals(given) && !path.startsWith("/v1/status/")) {
            return new Reply(403, "ACL not found");
        }
        if (query.containsKey("dc") && !DATACENTER.equals(query.get("dc"))) {
            return new Reply(500, "No path to datacenter");
        }
        byte[] raw = exchange.getRequestBody().readAllBytes();
        if (method.equals("GET") && path.equals("/v1/status/leader")) {
            return new Reply(200, "\"127.0.0.1:8300\"");
        }
        if (method.equals("PUT") && path.equals("/v1/catalog/register")) {
            return register(raw);
        }
        if (method.equals("PUT") && path.equals("/v1/catalog/deregister")) {
            return deregister(raw);
        }
        if (method.equals("GET") && path.startsWith("/v1/catalog/service/")) {
            return new Reply(200, catalogService(decode(path.substring("/v1/catalog/service/".length()))).toString());
        }
        if (path.startsWith("/v1/kv/") && path.length() > "/v1/kv/".length()) {
            return keyValue(method, decode(path.substring("/v1/kv/".length())), raw);
        }
        return new Reply(404, "no such endpoint in the Consul double: " + method + " " + path);
    }

    private Reply register(byte[] raw) {
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (IOException e) {
            return new Reply(400, "Request decode failed: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (body == null || !body.isObject()) {
            return new Reply(400, "Request decode failed: body is not a JSON object");
        }
        String problem = firstProblem(body);
        if (problem != null) {
            return new Reply(400, problem);
        }
        String node = body.get("Node").asText();
        nodes.put(node, body.get("Address").asText());
        JsonNode service = body.get("Service");
        if (service != null && !service.isNull()) {
            ObjectNode stored = JSON.createObjectNode();
            String name = service.get("Service").asText();
            stored.put("ID", service.hasNonNull("ID") && !service.get("ID").asText().isEmpty() ? service.get("ID").asText() : name);
            stored.put("Service", name);
            stored.set("Tags", service.hasNonNull("Tags") ? service.get("Tags") : JSON.createArrayNode());
            stored.put("Address", service.path("Address").asText(""));
            stored.put("Port", service.path("Port").asInt(0));
            services.computeIfAbsent(node, n -> new LinkedHashMap<>()).put(stored.get("ID").asText(), stored);
        }
        index.incrementAndGet();
        return new Reply(200, "true");
    }

    /** Consul's own messages for the bodies it rejects. */
    static String firstProblem(JsonNode body) {
        for (String field : List.of("Node", "Address", "Datacenter", "ID")) {
            if (body.has(field) && !body.get(field).isNull() && !body.get(field).isTextual()) {
                return "Request decode failed: " + field + " must be a string";
            }
        }
        if (!body.hasNonNull("Node") || body.get("Node").asText().isEmpty()) {
            return "Must provide node";
        }
        boolean skipNodeUpdate = body.path("SkipNodeUpdate").asBoolean(false);
        if (!skipNodeUpdate && (!body.hasNonNull("Address") || body.get("Address").asText().isEmpty())) {
            return "Must provide address if SkipNodeUpdate is not set";
        }
        JsonNode service = body.get("Service");
        if (service == null || service.isNull()) {
            return null;
        }
        if (!service.isObject()) {
            return "Request decode failed: Service must be an object";
        }
        for (String field : List.of("ID", "Service", "Address")) {
            if (service.has(field) && !service.get(field).isNull() && !service.get(field).isTextual()) {
                return "Request decode failed: Service." + field + " must be a string";
            }
        }
        if (service.has("Port") && !service.get("Port").isNull()
                && !(service.get("Port").isInt() && service.get("Port").asInt() >= 0 && service.get("Port").asInt() <= 65535)) {
            return "Request decode failed: Service.Port must be an integer 0-65535";
        }
        if (service.has("Tags") && !service.get("Tags").isNull()) {
            if (!service.get("Tags").isArray()) {
                return "Request decode failed: Service.Tags must be an array of strings";
            }
            for (JsonNode tag : service.get("Tags")) {
                if (!tag.isTextual()) {
                    return "Request decode failed: Service.Tags must be an array of strings";
                }
            }
        }
        if (!service.hasNonNull("Service") || service.get("Service").asText().isEmpty()) {
            return "Must provide service name (Service.Service) with ID";
        }
        return null;
    }

    private Reply deregister(byte[] raw) throws IOException {
        JsonNode body = JSON.readTree(raw);
        if (body == null || !body.isObject() || !body.hasNonNull("Node") || !body.get("Node").isTextual()) {
            return new Reply(400, "Must provide node");
        }
        String node = body.get("Node").asText();
        if (body.hasNonNull("ServiceID")) {
            Map<String, ObjectNode> ofNode = services.get(node);
            if (ofNode != null) {
                ofNode.remove(body.get("ServiceID").asText());
            }
        } else {
            nodes.remove(node);
            services.remove(node);
        }
        index.incrementAndGet();
        return new Reply(200, "true");
    }

    private ArrayNode catalogService(String name) {
        ArrayNode out = JSON.createArrayNode();
        services.forEach((node, ofNode) -> ofNode.values().stream()
                .filter(s -> s.get("Service").asText().equals(name))
                .forEach(s -> {
                    ObjectNode entry = out.addObject();
                    entry.put("ID", "");
                    entry.put("Node", node);
                    entry.put("Address", nodes.get(node));
                    entry.put("Datacenter", DATACENTER);
                    entry.set("TaggedAddresses", JSON.createObjectNode());
                    entry.set("NodeMeta", JSON.createObjectNode());
                    entry.put("ServiceID", s.get("ID").asText());
                    entry.put("ServiceName", name);
                    entry.set("ServiceTags", s.get("Tags"));
                    entry.put("ServiceAddress", s.get("Address").asText());
                    entry.put("ServicePort", s.get("Port").asInt());
                    entry.put("ServiceEnableTagOverride", false);
                    entry.set("ServiceMeta", JSON.createObjectNode());
                    entry.put("CreateIndex", index.get());
                    entry.put("ModifyIndex", index.get());
                }));
        return out;
    }

    private Reply keyValue(String method, String key, byte[] raw) {
        switch (method) {
            case "PUT" -> {
                kv.put(key, new String(raw, StandardCharsets.UTF_8));
                index.incrementAndGet();
                return new Reply(200, "true");
            }
            case "DELETE" -> {
                kv.remove(key);
                index.incrementAndGet();
                return new Reply(200, "true");
            }
            case "GET" -> {
                String value = kv.get(key);
                if (value == null) {
                    return new Reply(404, "");
                }
                ArrayNode out = JSON.createArrayNode();
                ObjectNode entry = out.addObject();
                entry.put("Key", key);
                entry.put("Value", Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
                entry.put("Flags", 0);
                entry.put("CreateIndex", index.get());
                entry.put("ModifyIndex", index.get());
                entry.put("LockIndex", 0);
                return new Reply(200, out.toString());
            }
            default -> {
                return new Reply(405, "method not allowed");
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                out.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return out;
    }

    private static Map<String, String> masked(Map<String, String> query) {
        Map<String, String> out = new LinkedHashMap<>(query);
        out.computeIfPresent("token", (k, v) -> "******");
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        stop();
    }
}
