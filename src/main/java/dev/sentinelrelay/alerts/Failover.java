package dev.sentinelrelay.alerts;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.resolve.Trigger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A verified failover whose report waits for every destination's outcome (or its deadline): see {@link Alerts}. */
final class Failover {

    final String name;
    final HostPort old;
    final HostPort now;
    final String agreeing;
    final Trigger trigger;
    /** When the new master was verified: the report deadline counts from here. */
    final long verifiedNanos = System.nanoTime();
    final Map<String, String> results = new ConcurrentHashMap<>();

    Failover(String name, HostPort old, HostPort now, String agreeing, Trigger trigger) {
        this.name = name;
        this.old = old;
        this.now = now;
        this.agreeing = agreeing;
        this.trigger = trigger;
    }
}
