package dev.sentinelrelay;

import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.deadletter.DeadLetters;
import dev.sentinelrelay.ops.RelayMetrics;
import dev.sentinelrelay.ops.RelayState;
import dev.sentinelrelay.resolve.MasterResolver;
import dev.sentinelrelay.resolve.RelayHealth;
import dev.sentinelrelay.sentinel.FollowedSentinels;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.Registry;

/** What each stage's wiring needs: the context, the configuration and the beans the stages share. */
record Wiring(CamelContext context, RelayConfig config, DeadLetters deadLetters, ProducerTemplate producer,
              FollowedSentinels followed, RelayHealth health, RelayMetrics metrics, RelayState state,
              MasterResolver resolver) {

    /** Where the beans go, under the names the routes call ({@code ref: ...}). */
    Registry registry() {
        return context.getRegistry();
    }

    /** Every thread pool comes from Camel's manager: named after its job, shut down with the context. */
    ExecutorServiceManager threads() {
        return context.getExecutorServiceManager();
    }
}
