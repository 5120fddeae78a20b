package dev.sentinelrelay.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sentinel discovery against real sentinels: the relay is configured with one sentinel of the sandbox's three and
 * follows all three; a fourth one is followed once the majority lists it; a sentinel only one sentinel lists (a hello
 * sent to that one alone, answered by a {@link FakeSentinel}) is never followed nor counted; a sentinel stopped and
 * reset away is forgotten after relay.sentinels.forget-after, and never before; one that refuses the relay's AUTH
 * settings is followed, counted and reported. Each test starts its own relay and leaves the three sentinels as it
 * found them (an added sentinel stopped and reset away, a sentinel told of a fake one reset).
 */
class SentinelDiscoveryIT extends SandboxIT {

    private static final Duration FORGET_AFTER = Duration.ofSeconds(3);
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Several discovery checks (one per reconcile interval, 2 s in the sandbox's relay configuration). */
    private static final Duration CHECKS = Duration.ofSeconds(7);
    /** The channels a relay's subscriber route subscribes to, plus its watch channel. */
    private static final int SUBSCRIBER_CHANNELS = 13;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    void start() throws Exception {
        sandbox = Sandbox.start();
    }

    /** A new relay configured with the sandbox's first sentinel only, discovering the others. */
    private void startRelayOnOneSeed() throws IOException {
        if (relay != null) {
            relay.close();
        }
        relay = Relay.start(sandbox, Map.of("relay.sentinels", address(seed()), "relay.sentinels.discover", "true",
                "relay.sentinels.forget-after", FORGET_AFTER.toSeconds() + "s"));
    }

    private int seed() {
        return sandbox.sentinelPorts.get(0);
    }

    private static String address(int port) {
        return "127.0.0.1:" + port;
    }

    private JsonNode api(String path) throws IOException, InterruptedException {
        return JSON.readTree(OperatorApiIT.get(relay, path, null).body());
    }

    /** The followed sentinels by address, each with its origin. */
    private Map<String, String> followed() throws IOException, InterruptedException {
        Map<String, String> out = new TreeMap<>();
        api("/api/sentinels").get("sentinels").forEach(s -> out.put(s.get("address").asText(), s.get("origin").asText()));
        return out;
    }

    private Map<String, String> baseThree() {
        return Map.of(address(seed()), "configured", address(sandbox.sentinelPorts.get(1)), "discovered",
                address(sandbox.sentinelPorts.get(2)), "discovered");
    }

    private void awaitFollowing(Map<String, String> expected) {
        await("relay follows " + expected).atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> followed().equals(expected));
    }

    private void awaitSubscribed(int sentinelPort) {
        await("relay subscribed to sentinel " + sentinelPort).atMost(WAIT).ignoreExceptions()
                .until(() -> sandbox.subscriptionsOf(sentinelPort) >= SUBSCRIBER_CHANNELS);
    }

    /** Waits for a verification after now (the reconcile runs every 2 s) and returns its votes' sentinels. */
    private List<String> votersOfTheNextVerification() {
        Instant after = Instant.now();
        List<String> voters = new ArrayList<>();
        await("a verification after " + after).atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    JsonNode v = api("/api/topology").get("masters").get(0).get("verification");
                    if (Instant.parse(v.get("time").asText()).isBefore(after)) {
                        return false;
                    }
                    voters.clear();
                    v.get("votes").forEach(vote -> voters.add(vote.get("sentinel").asText()));
                    return true;
                });
        return voters;
    }

    /** The entry of a /api/sentinels list ("sentinels", or the discovery's "candidates") at this address; null if none. */
    private JsonNode withAddress(String list, String address) throws IOException, InterruptedException {
        JsonNode body = api("/api/sentinels");
        JsonNode entries = list.equals("sentinels") ? body.get(list) : body.get("discovery").get(list);
        for (JsonNode entry : entries) {
            if (entry.get("address").asText().equals(address)) {
                return entry;
            }
        }
        return null;
    }

    private String health() throws IOException, InterruptedException {
        return OperatorApiIT.get(relay, "/health/ready", null).body();
    }

    @Test
    void oneConfiguredSentinelOfThreeLeadsToAllThreeAndAFailoverIsVerifiedByAMajorityOfThree() throws Exception {
        startRelayOnOneSeed();

        awaitFollowing(baseThree());
        sandbox.sentinelPorts.forEach(this::awaitSubscribed);
        assertEquals(2, relay.count("discovery - following discovered sentinel"), relay.tail());
        await("both alerted").atMost(WAIT).until(() -> relay.count("alert: sentinel-followed: following discovered sentinel") == 2);
        for (JsonNode s : api("/api/sentinels").get("sentinels")) {
            assertFalse(s.get("followedSince").isNull(), s.toString());
        }
        await("majority of three").atMost(WAIT).until(() -> health().contains("(majority 2)"));

        int oldMaster = sandbox.sentinelMasterPort();
        int newMaster = sandbox.failover();
        sandbox.awaitClientsReach(newMaster);

        JsonNode verification = api("/api/topology").get("masters").get(0).get("verification");
        assertEquals(address(newMaster), verification.get("verified").asText(), verification.toString());
        assertEquals(Set.of(address(seed()), address(sandbox.sentinelPorts.get(1)), address(sandbox.sentinelPorts.get(2))),
                votersSet(verification), "every followed sentinel has a vote: " + verification);
        long naming = 0;
        for (JsonNode vote : verification.get("votes")) {
            naming += address(newMaster).equals(vote.get("master").asText()) ? 1 : 0;
        }
        assertTrue(naming >= 2, "a majority of three named " + newMaster + ": " + verification);
        assertNotEquals(oldMaster, newMaster);
        sandbox.awaitSentinelsSettled();
    }

    private static Set<String> votersSet(JsonNode verification) {
        Set<String> out = new HashSet<>();
        verification.get("votes").forEach(v -> out.add(v.get("sentinel").asText()));
        return out;
    }

    @Test
    void aFourthSentinelIsFollowedOnceTheMajorityListsItAndCountsInEveryMajority() throws Exception {
        startRelayOnOneSeed();
        awaitFollowing(baseThree());

        int fourth = sandbox.addSentinel(null);
        try {
            Map<String, String> four = new TreeMap<>(baseThree());
            four.put(address(fourth), "discovered");
            awaitFollowing(four);
            awaitSubscribed(fourth);
            String line = relay.linesSinceMark().stream().filter(l -> l.contains("discovery - following discovered sentinel")
                    && l.contains(address(fourth))).findFirst().orElseThrow(() -> new AssertionError(relay.tail()));
            assertTrue(line.matches(".*listed by [23] of the 3 followed sentinels \\(majority 2\\).*"), line);
            await("alerted").atMost(WAIT).until(() ->
                    relay.count("alert: sentinel-followed: following discovered sentinel sentinel-4 (" + address(fourth)) == 1);

            assertEquals(4, votersOfTheNextVerification().size(), "the fourth sentinel votes too");
            await("majority of four").atMost(WAIT).until(() -> health().contains("(majority 3)"));
        } finally {
            sandbox.removeSentinel(fourth);
        }
    }

    @Test
    void aSentinelListedByOnlyOneSentinelIsNeverFollowedNorCounted() throws Exception {
        startRelayOnOneSeed();
        awaitFollowing(baseThree());
        int liar = sandbox.sentinelPorts.get(1);

        try (FakeSentinel fake = new FakeSentinel()) {
            try {
                sandbox.announceSentinelTo(liar, fake.port());
                await("only sentinel " + liar + " lists the fake").atMost(WAIT)
                        .until(() -> sandbox.sentinelsListedBy(liar).contains(fake.port()));
                assertFalse(sandbox.sentinelsListedBy(seed()).contains(fake.port()));
                assertFalse(sandbox.sentinelsListedBy(sandbox.sentinelPorts.get(2)).contains(fake.port()));

                JsonNode candidate = await("the API shows the fake as a candidate").atMost(WAIT).ignoreExceptions()
                        .until(() -> withAddress("candidates", address(fake.port())), c -> c != null);
                assertEquals(1, candidate.get("listedBy").asInt(), candidate.toString());
                assertEquals(3, candidate.get("followed").asInt(), candidate.toString());
                assertEquals(2, candidate.get("needed").asInt(), candidate.toString());

                await("never followed, over several checks").during(CHECKS).atMost(CHECKS.plus(WAIT))
                        .until(() -> followed().equals(baseThree()) && !fake.hasSubscriber());
                assertEquals(3, votersOfTheNextVerification().size(), "the fake is not counted");
                assertTrue(health().contains("(majority 2)"), health());
                assertEquals(0, relay.count(address(fake.port()) + "): listed by"), relay.tail());
            } finally {
                sandbox.resetSentinel(liar);
            }
        }
    }

    @Test
    void aDiscoveredSentinelThatDoesNotAnswerWithTheRelaysAuthSettingsIsReportedAndCounted() throws Exception {
        startRelayOnOneSeed();
        awaitFollowing(baseThree());

        int fourth = sandbox.addSentinel("fourth-sentinel-pass-5d1c");
        try {
            Map<String, String> four = new TreeMap<>(baseThree());
            four.put(address(fourth), "discovered");
            awaitFollowing(four);

            await("reported in the log").atMost(WAIT).until(() -> relay.count("discovered sentinel sentinel-4 ("
                    + address(fourth) + ") does not answer the relay") == 1);
            String line = relay.linesSinceMark().stream().filter(l -> l.contains("does not answer the relay")).findFirst().orElseThrow();
            assertTrue(line.contains("NOAUTH"), line);
            String refused = relay.linesSinceMark().stream().filter(l -> l.contains("refuses the relay's subscription"))
                    .findFirst().orElseThrow(() -> new AssertionError(relay.tail()));
            assertTrue(refused.contains("sentinel-4 (" + address(fourth) + ")") && refused.contains("NOAUTH"), refused);
            JsonNode status = await("reported on the API").atMost(WAIT).ignoreExceptions().until(() -> withAddress("sentinels", address(fourth)),
                    s -> s.get("lastError").asText().startsWith("discovery: NOAUTH"));
            assertFalse(status.get("reachable").asBoolean(), status.toString());
            assertEquals(4, votersOfTheNextVerification().size(), "followed and counted all the same");
            await("majority of four").atMost(WAIT).until(() -> health().contains("(majority 3)"));
            assertEquals(1, relay.count("does not answer the relay"), "one line per reason, not one per check");
        } finally {
            sandbox.removeSentinel(fourth);
        }
    }

    @Test
    void aSentinelStoppedAndResetAwayIsForgottenAfterForgetAfterAndNeverBefore() throws Exception {
        startRelayOnOneSeed();
        awaitFollowing(baseThree());
        int fourth = sandbox.addSentinel(null);
        Map<String, String> othersBefore;
        Duration followedFor;
        boolean resetAway = false;
        try {
            Map<String, String> four = new TreeMap<>(baseThree());
            four.put(address(fourth), "discovered");
            awaitFollowing(four);
            othersBefore = idsAndSince();
            othersBefore.remove(address(fourth));

            sandbox.stopAddedSentinel(fourth);
            sandbox.resetSentinel(sandbox.sentinelPorts.get(0));
            sandbox.resetSentinel(sandbox.sentinelPorts.get(1));
            // until the third reset only two of the four answer without it (the stopped one answers nothing): no majority
            Instant thirdReset = Instant.now();
            sandbox.resetSentinel(sandbox.sentinelPorts.get(2));
            resetAway = true;
            awaitFollowing(baseThree());
            followedFor = Duration.between(thirdReset, Instant.now());
        } finally {
            if (!resetAway) {
                sandbox.removeSentinel(fourth);
            }
        }

        assertTrue(followedFor.compareTo(FORGET_AFTER) >= 0, "forgotten " + followedFor + " after a majority stopped listing it");
        String line = relay.linesSinceMark().stream().filter(l -> l.contains("discovery - forgot sentinel sentinel-4 (" + address(fourth)))
                .findFirst().orElseThrow(() -> new AssertionError(relay.tail()));
        assertTrue(line.contains("not listed by 3 of the 4 followed sentinels (majority 3)")
                && line.contains("relay.sentinels.forget-after PT3S"), line);
        await("alerted").atMost(WAIT).until(() -> relay.count("alert: sentinel-forgotten: no longer following sentinel sentinel-4") == 1);
        await("majority of three again").atMost(WAIT).until(() -> health().contains("(majority 2)"));
        assertEquals(othersBefore, idsAndSince(), "the others, reset one at a time, were never forgotten (same ids, same since)");
        assertEquals(3, votersOfTheNextVerification().size());
    }

    /** Id and followed-since of every followed sentinel, by address. */
    private Map<String, String> idsAndSince() throws IOException, InterruptedException {
        Map<String, String> out = new TreeMap<>();
        api("/api/sentinels").get("sentinels").forEach(s -> out.put(s.get("address").asText(),
                s.get("id").asText() + " since " + s.get("followedSince").asText()));
        return out;
    }
}
