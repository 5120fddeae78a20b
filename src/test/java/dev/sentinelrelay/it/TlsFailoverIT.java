package dev.sentinelrelay.it;

/**
 * Every failover of {@link FailoverIT} (the addr mode contract, a SIGKILLed master, a restarted sentinel, a failover
 * while the relay is down) over TLS: Redis servers and sentinels on {@code tls-port} only with
 * {@code tls-auth-clients yes}, HAProxy from config/haproxy/addr.cfg with TLS to the servers.
 */
class TlsFailoverIT extends FailoverIT {

    @Override
    boolean tls() {
        return true;
    }
}
