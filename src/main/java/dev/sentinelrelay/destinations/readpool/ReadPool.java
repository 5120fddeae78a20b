package dev.sentinelrelay.destinations.readpool;

import dev.sentinelrelay.configuration.HostPort;
import dev.sentinelrelay.configuration.RelayConfig.ReadPoolTarget;

import java.util.List;
import java.util.Optional;

/** Who serves one master's reads right now: every node the sentinels know of, each in or out and why. */
public record ReadPool(String master, ReadPoolTarget target, List<PoolMember> members) {

    public Optional<PoolMember> member(String host, int port) {
        return members.stream().filter(m -> m.address().host().equals(host) && m.address().port() == port).findFirst();
    }

    public List<HostPort> in() {
        return members.stream().filter(PoolMember::in).map(PoolMember::address).toList();
    }

    @Override
    public String toString() {
        return master + " read pool " + in();
    }
}
