package dev.sentinelrelay.it;

/** {@link MapModeIT} over TLS: servers and sentinels on {@code tls-port} only, HAProxy from map.cfg with TLS to Redis. */
class TlsMapModeIT extends MapModeIT {

    @Override
    boolean tls() {
        return true;
    }
}
