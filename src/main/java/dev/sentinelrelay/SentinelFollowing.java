package dev.sentinelrelay;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.ops.SentinelDirectory;
import dev.sentinelrelay.sentinel.FollowedSentinels;
import dev.sentinelrelay.sentinel.SentinelChange;
import dev.sentinelrelay.sentinel.SentinelSubscriptions;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * Applies what the discovery route decided (routes/15-sentinel-discovery.yaml): a sentinel followed gets a place in
 * the followed set (it counts in every majority from now on), a listener container and a subscriber route from the
 * routes/10-sentinel-subscriber.yaml template, and a line in the API's directory; a forgotten one loses all of them.
 */
final class SentinelFollowing {

    private static final Logger LOG = LoggerFactory.getLogger(SentinelFollowing.class);

    private final CamelContext context;
    private final FollowedSentinels followed;
    private final SentinelSubscriptions subscriptions;
    private final SentinelDirectory directory;
    private final Supplier<Instant> clock;

    SentinelFollowing(CamelContext context, FollowedSentinels followed, SentinelSubscriptions subscriptions,
                      SentinelDirectory directory, Supplier<Instant> clock) {
        this.context = context;
        this.followed = followed;
        this.subscriptions = subscriptions;
        this.directory = directory;
        this.clock = clock;
    }

    /** The subscriber route of one sentinel, from the template, consuming from its registered listener container. */
    static void addSubscriberRoute(CamelContext context, String id, HostPort sentinel) {
        TemplatedRouteBuilder.builder(context, "sentinel-subscriber")
                .routeId(id)
                .parameter("sentinel", id)
                .parameter("host", sentinel.host())
                .parameter("port", String.valueOf(sentinel.port()))
                .parameter("listener", SentinelSubscriptions.containerBeanName(id))
                .add();
    }

    /**
     * A majority lists it, so it counts from now on, even when it refuses the relay's subscription (its AUTH
     * settings differ, say): then it is followed without a subscriber route, and the refusal is reported in the
     * log and on the API, as the discovery check reports every question it does not answer.
     */
    public SentinelChange follow(SentinelChange change) {
        FollowedSentinels.Sentinel sentinel = followed.add(change.address(), clock.get());
        directory.followed(sentinel.id(), sentinel.address(), sentinel.origin(), sentinel.since());
        try {
            context.getRegistry().bind(SentinelSubscriptions.containerBeanName(sentinel.id()),
                    subscriptions.add(sentinel.id(), sentinel.address()));
            addSubscriberRoute(context, sentinel.id(), sentinel.address());
        } catch (RuntimeException e) {
            String reason = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            LOG.warn("discovered sentinel {} refuses the relay's subscription (with its relay.sentinel.* settings): {}; "
                    + "it is followed and counted, its events are not heard", sentinel, reason);
            directory.subscriptionRefused(sentinel.address(), reason);
        }
        return change.applied(sentinel.id());
    }

    /** Stops the sentinel's route first (if it got one), so no event of it arrives once it no longer counts. */
    public SentinelChange forget(SentinelChange change) throws Exception {
        String id = followed.find(change.address()).orElseThrow().id();
        if (context.getRoute(id) != null) {
            context.getRouteController().stopRoute(id);
            context.removeRoute(id);
        }
        subscriptions.remove(id);
        context.getRegistry().unbind(SentinelSubscriptions.containerBeanName(id));
        followed.remove(change.address());
        directory.forgotten(id, change.address());
        return change.applied(id);
    }
}
