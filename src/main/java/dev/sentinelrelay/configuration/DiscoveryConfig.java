package dev.sentinelrelay.configuration;

import java.time.Duration;

/**
 * Sentinel discovery: with {@code relay.sentinels.discover} the configured sentinels are seeds, and the relay also
 * follows the sentinels a majority of those it follows list ({@code SENTINEL SENTINELS}).
 *
 * @param enabled     {@code relay.sentinels.discover}
 * @param forgetAfter {@code relay.sentinels.forget-after}: how long a majority must have stopped listing a
 *                    discovered sentinel before the relay stops following it
 */
public record DiscoveryConfig(boolean enabled, Duration forgetAfter) {

    static DiscoveryConfig read(ConfigReader r) {
        return new DiscoveryConfig(r.bool("relay.sentinels.discover", false),
                r.duration("relay.sentinels.forget-after", "10m"));
    }
}
