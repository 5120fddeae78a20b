package dev.sentinelrelay.it;

import dev.sentinelrelay.configuration.ConsulConfig.ConsulTarget;
import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.destinations.consul.ConsulRegistration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.ConsulException;
import org.kiwiproject.consul.model.catalog.CatalogService;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Consul double answers camel-consul's own client like Consul, and rejects what Consul rejects. */
class ConsulDoubleTest {

    private static final ConsulTarget TARGET = new ConsulTarget("redis-mymaster", List.of("master"), "redis-mymaster", null);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private ConsulDouble consul;

    @AfterEach
    void stop() {
        consul.close();
    }

    @Test
    void theClientRegistersReplacesAndReadsBack() {
        consul = ConsulDouble.start("s3cret");
        Consul client = Consul.builder().withUrl(consul.url()).withAclToken("s3cret").build(); // pings the leader
        client.catalogClient().register(ConsulRegistration.register(TARGET, new HostPort("127.0.0.1", 6379), null));
        client.catalogClient().register(ConsulRegistration.register(TARGET, new HostPort("127.0.0.1", 6380), null));

        List<CatalogService> read = client.catalogClient().getService("redis-mymaster").getResponse();
        assertEquals(1, read.size(), "the stable ID replaced the instance instead of adding one");
        assertEquals(6380, read.get(0).getServicePort());
        assertEquals("127.0.0.1", read.get(0).getServiceAddress());
        assertEquals(List.of("master"), read.get(0).getServiceTags());
        assertEquals("redis-mymaster", read.get(0).getNode());

        client.catalogClient().deregister(ConsulRegistration.deregister(TARGET, null));
        assertEquals(List.of(), client.catalogClient().getService("redis-mymaster").getResponse());
        client.keyValueClient().putValue("redis/mymaster/master", "127.0.0.1:6380");
        assertEquals("127.0.0.1:6380", consul.kv("redis/mymaster/master"));
        assertTrue(consul.requests().stream().noneMatch(r -> r.contains("s3cret")), "tokens masked in the request log");
    }

    @Test
    void aWrongTokenIsRefusedWith403() {
        consul = ConsulDouble.start("s3cret");
        Consul client = Consul.builder().withUrl(consul.url()).withAclToken("wrong").withPing(false).build();
        ConsulException e = assertThrows(ConsulException.class, () -> client.catalogClient()
                .register(ConsulRegistration.register(TARGET, new HostPort("127.0.0.1", 6379), null)));
        assertEquals(403, e.getCode());
        assertEquals(-1, consul.servicePort("redis-mymaster", "redis-mymaster"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"Address\":\"10.0.0.1\"}|Must provide node",
            "{\"Node\":\"n\"}|Must provide address if SkipNodeUpdate is not set",
            "{\"Node\":1,\"Address\":\"10.0.0.1\"}|Node must be a string",
            "{\"Node\":\"n\",\"Address\":\"10.0.0.1\",\"Service\":{\"ID\":\"x\"}}|Must provide service name",
            "{\"Node\":\"n\",\"Address\":\"10.0.0.1\",\"Service\":{\"Service\":\"s\",\"Port\":\"6379\"}}|Service.Port must be an integer",
            "{\"Node\":\"n\",\"Address\":\"10.0.0.1\",\"Service\":{\"Service\":\"s\",\"Tags\":\"master\"}}|Service.Tags must be an array",
            "[1,2]|body is not a JSON object",
            "not json|Request decode failed",
    })
    void rejectsBodiesConsulRejectsWith400(String body, String message) throws Exception {
        consul = ConsulDouble.start(null);
        HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(URI.create(consul.url() + "/v1/catalog/register"))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, reply.statusCode());
        assertTrue(reply.body().contains(message), reply.body());
        assertEquals(-1, consul.servicePort("n", "s"));
    }

    @Test
    void anUnknownDatacenterIs500() throws Exception {
        consul = ConsulDouble.start(null);
        HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(URI.create(consul.url() + "/v1/catalog/service/x?dc=mars"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(500, reply.statusCode());
        assertEquals("No path to datacenter", reply.body());
    }
}
