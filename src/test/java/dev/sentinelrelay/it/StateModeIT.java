package dev.sentinelrelay.it;

/**
 * state mode, HAProxy from config/haproxy/state.cfg: every node is a server with the {@code tcp-check role:master}
 * health check; the relay keeps every server but the verified master in maintenance.
 */
class StateModeIT extends HaproxyModeContract {

    @Override
    HaproxyMode mode() {
        return HaproxyMode.STATE;
    }
}
