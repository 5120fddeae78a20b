package dev.sentinelrelay.support;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * fabric8's mock Kubernetes API server in CRUD mode (it keeps objects and resource versions, refuses an update on a
 * stale version with 409) on a free loopback port, that can be stopped and started again on the same port with the
 * objects it held (as an API server restarted on its etcd). Records every request.
 */
public final class MockApiServer implements AutoCloseable {

    private final Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    private final KubernetesMixedDispatcher dispatcher = new KubernetesMixedDispatcher(expectations);
    private KubernetesMockServer server;
    private int port;
    private final List<KubernetesClient> clients = new ArrayList<>();
    /** requests taken from stopped servers, so none is lost across a restart */
    private final List<RecordedRequest> drained = new ArrayList<>();

    public MockApiServer() {
        start();
    }

    /** Starts it: on a free port the first time, on the same port (with the same objects) after {@link #stop}. */
    public synchronized void start() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations, dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), port);
        port = server.getPort();
    }

    /** Stops answering: connections are refused until {@link #start}. */
    public synchronized void stop() {
        drain();
        server.destroy();
        server = null;
    }

    public synchronized boolean running() {
        return server != null;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** A client of this server that does not retry, as the relay's; closed with the server. */
    public synchronized KubernetesClient client() {
        KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(url()).withRequestRetryBackoffLimit(0).withConnectionTimeout(2000)
                .withRequestTimeout(2000).build()).build();
        clients.add(client);
        return client;
    }

    /** Every request received since the last call, oldest first. */
    public synchronized List<RecordedRequest> takeRequests() {
        drain();
        List<RecordedRequest> out = new ArrayList<>(drained);
        drained.clear();
        return out;
    }

    private void drain() {
        if (server == null) {
            return;
        }
        try {
            RecordedRequest r;
            while ((r = server.takeRequest(0, TimeUnit.MILLISECONDS)) != null) {
                drained.add(r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops it and closes its clients. */
    @Override
    public synchronized void close() {
        clients.forEach(KubernetesClient::close);
        if (server != null) {
            server.destroy();
        }
    }
}
