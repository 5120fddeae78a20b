package dev.sentinelrelay.it;

/**
 * The state mode contract over TLS: Redis servers and sentinels on {@code tls-port} only with client certificates,
 * HAProxy from config/haproxy/state.cfg with TLS to the servers (and {@code check-ssl} for its role:master check).
 */
class TlsStateModeIT extends HaproxyModeContract {

    @Override
    HaproxyMode mode() {
        return HaproxyMode.STATE;
    }

    @Override
    boolean tls() {
        return true;
    }
}
