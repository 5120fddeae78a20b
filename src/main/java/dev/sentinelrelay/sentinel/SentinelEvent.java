package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;

/**
 * A validated Sentinel pub/sub event.
 *
 * @param type      the channel, e.g. {@code +switch-master}
 * @param master    the followed master the event concerns; null for events about no master ({@code +tilt})
 * @param instance  the instance the event is about (the old master for {@code +switch-master}); may be null
 * @param promoted  the new master announced by {@code +switch-master}; null otherwise
 * @param sentinel  the sentinel that published it, as configured
 * @param replica   the instance is a replica of the master (not the master, not a sentinel)
 */
public record SentinelEvent(String type, String master, HostPort instance, HostPort promoted, String sentinel,
                            boolean replica) {

    /** An event about a master (or about no instance). */
    public SentinelEvent(String type, String master, HostPort instance, HostPort promoted, String sentinel) {
        this(type, master, instance, promoted, sentinel, false);
    }

    public boolean isSwitchMaster() {
        return promoted != null;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(type);
        if (master != null) {
            s.append(' ').append(master);
        }
        if (replica) {
            s.append(" replica");
        }
        if (instance != null) {
            s.append(' ').append(instance);
        }
        if (promoted != null) {
            s.append(" -> ").append(promoted);
        }
        return s.append(" from ").append(sentinel).toString();
    }
}
