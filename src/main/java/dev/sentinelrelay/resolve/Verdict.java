package dev.sentinelrelay.resolve;

import dev.sentinelrelay.configuration.HostPort;

import java.util.List;

/**
 * The outcome of verifying a master: the address to route to, or why nothing may change.
 *
 * @param trigger  what asked for the verification
 * @param master   the verified master's address (an IP literal); null when refused
 * @param votes    every sentinel's answer
 * @param refusal  why the master is not verified; null when verified
 */
public record Verdict(Trigger trigger, HostPort master, List<Vote> votes, String refusal) {

    public boolean verified() {
        return master != null;
    }

    public String name() {
        return trigger.master();
    }

    @Override
    public String toString() {
        return trigger.master() + (verified() ? " verified at " + master : " refused: " + refusal) + " votes " + votes;
    }
}
