package dev.sentinelrelay.sentinel;

import dev.sentinelrelay.configuration.HostPort;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentinelDiscoveryTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private static final Duration FORGET_AFTER = Duration.ofSeconds(30);
    private static final HostPort A = new HostPort("10.0.0.1", 26379);
    private static final HostPort B = new HostPort("10.0.0.2", 26379);
    private static final HostPort C = new HostPort("10.0.0.3", 26379);
    private static final HostPort D = new HostPort("10.0.0.4", 26379);
    private static final HostPort FAKE = new HostPort("10.6.6.6", 26379);

    private final SentinelDiscovery discovery = new SentinelDiscovery(FORGET_AFTER);

    private static FollowedSentinels.Sentinel configured(HostPort address) {
        return new FollowedSentinels.Sentinel("sentinel-" + address.host(), address, true, T0);
    }

    private static FollowedSentinels.Sentinel discovered(HostPort address) {
        return new FollowedSentinels.Sentinel("sentinel-" + address.host(), address, false, T0);
    }

    /** The answer of a sentinel whose run id is its host name's last digit, listing these peers. */
    private static SentinelDiscovery.Answer lists(HostPort... peers) {
        return new SentinelDiscovery.Answer(null, Stream.of(peers).map(p -> new SentinelDiscovery.Peer(p, runId(p)))
                .collect(Collectors.toSet()));
    }

    private static String runId(HostPort address) {
        return "run-" + address.host();
    }

    private static Map<HostPort, SentinelDiscovery.Answer> answers(Object... pairs) {
        Map<HostPort, SentinelDiscovery.Answer> out = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put((HostPort) pairs[i], (SentinelDiscovery.Answer) pairs[i + 1]);
        }
        return out;
    }

    private static Set<HostPort> followed(SentinelDiscovery.Decision d) {
        return d.changes().stream().filter(SentinelChange::follows).map(SentinelChange::address).collect(Collectors.toSet());
    }

    private static Set<HostPort> forgotten(SentinelDiscovery.Decision d) {
        return d.changes().stream().filter(c -> !c.follows()).map(SentinelChange::address).collect(Collectors.toSet());
    }

    @Test
    void oneSeedIsAMajorityOfOneSoItsPeersAreFollowed() {
        SentinelDiscovery.Decision d = discovery.decide(List.of(configured(A)), answers(A, lists(B, C)), T0);
        assertEquals(Set.of(B, C), followed(d));
        assertTrue(d.changes().get(0).reason().contains("listed by 1 of the 1 followed sentinels"), d.toString());
    }

    @Test
    void aSentinelListedByOnlyOneOfThreeIsNeitherFollowedNorForgottenButShownAsACandidate() {
        List<FollowedSentinels.Sentinel> set = List.of(configured(A), discovered(B), discovered(C));
        SentinelDiscovery.Decision d = discovery.decide(set, answers(A, lists(B, C, FAKE), B, lists(A, C), C, lists(A, B)), T0);
        assertEquals(List.of(), d.changes());
        assertEquals(List.of(new SentinelDiscovery.Candidate(FAKE, 1, 3, 2)), d.candidates());
    }

    @Test
    void aFourthSentinelIsFollowedOnceAStrictMajorityOfTheFollowedListsIt() {
        List<FollowedSentinels.Sentinel> set = List.of(configured(A), discovered(B), discovered(C));
        assertEquals(Set.of(), followed(discovery.decide(set, answers(A, lists(B, C, D), B, lists(A, C), C, lists(A, B)), T0)));
        assertEquals(Set.of(D), followed(discovery.decide(set,
                answers(A, lists(B, C, D), B, lists(A, C, D), C, lists(A, B)), T0.plusSeconds(1))));
    }

    @Test
    void silenceIsNotConsent() {
        // two of four followed sentinels list E, two do not answer: two is no strict majority of four
        HostPort e = new HostPort("10.0.0.5", 26379);
        List<FollowedSentinels.Sentinel> set = List.of(configured(A), discovered(B), discovered(C), discovered(D));
        assertEquals(Set.of(), followed(discovery.decide(set, answers(A, lists(B, C, D, e), B, lists(A, C, D, e)), T0)));
    }

    @Test
    void aDiscoveredSentinelIsForgottenOnlyAfterAMajorityAnsweredWithoutItForTheWholeForgetAfter() {
        List<FollowedSentinels.Sentinel> set = List.of(configured(A), discovered(B), discovered(C), discovered(D));
        // D is gone and reset away: A, B and C answer without it (3 of 4), D answers nothing
        Map<HostPort, SentinelDiscovery.Answer> withoutD = answers(A, lists(B, C), B, lists(A, C), C, lists(A, B));
        SentinelDiscovery.Decision first = discovery.decide(set, withoutD, T0);
        assertEquals(Set.of(), forgotten(first));
        assertEquals(List.of(new SentinelDiscovery.Unlisted(D, T0, T0.plus(FORGET_AFTER))), first.unlisted());
        assertEquals(Set.of(), forgotten(discovery.decide(set, withoutD, T0.plus(FORGET_AFTER).minusMillis(1))));
        SentinelDiscovery.Decision last = discovery.decide(set, withoutD, T0.plus(FORGET_AFTER));
        assertEquals(Set.of(D), forgotten(last));
        assertTrue(last.changes().get(0).reason().contains("not listed by 3 of the 4 followed sentinels"), last.toString());
    }

    @Test
    void beingListedByAMajorityAgainStartsTheForgetAfterOver() {
        List<FollowedSentinels.Sentinel> set = List.of(configured(A), discovered(B), discovered(C), discovered(D));
        Map<HostPort, SentinelDiscovery.Answer> withoutD = answers(A, lists(B, C), B, lists(A, C), C, lists(A, B));
        discovery.decide(set, withoutD, T0);
        discovery.decide(set, answers(A, lists(B, C, D), B, lists(A, C, D), C, lists(A, B, D)), T0.plusSeconds(10));
        assertEquals(Set.of(), forgotten(discovery.decide(set, withoutD, T0.plus(FORGET_AFTER))));
        assertEquals(Set.of(D), forgotten(discovery.decide(set, withoutD, T0.plus(FORGET_AFTER).plus(FORGET_AFTER))));
    }

    @Test
    void sentinelsThatDoNotAnswerForgetNobody() {
        // a network outage: only A answers, and lists nobody (it was just reset)
        List<FollowedSentinels.Sentinel> set = List.of(configured(A), discovered(B), discovered(C));
        for (int s = 0; s <= 2 * FORGET_AFTER.toSeconds(); s += 10) {
            assertEquals(List.of(), discovery.decide(set, answers(A, lists()), T0.plusSeconds(s)).changes());
        }
    }

    @Test
    void aConfiguredSentinelIsNeverForgotten() {
        List<FollowedSentinels.Sentinel> set = List.of(configured(A), configured(B), configured(C));
        Map<HostPort, SentinelDiscovery.Answer> nobodyListsC = answers(A, lists(B), B, lists(A));
        for (int s = 0; s <= 2 * FORGET_AFTER.toSeconds(); s += 10) {
            assertEquals(List.of(), discovery.decide(set, nobodyListsC, T0.plusSeconds(s)).changes());
        }
    }

    @Test
    void aSeedListedUnderAnotherAddressIsRecognisedByItsRunIdAndNotFollowedTwice() {
        HostPort seedByName = new HostPort("sentinel-a.example", 26379);
        List<FollowedSentinels.Sentinel> set = List.of(configured(seedByName), discovered(B), discovered(C));
        // B and C list the seed under its IP address, with the run id the seed reports as its own
        Map<HostPort, SentinelDiscovery.Answer> answers = answers(
                seedByName, new SentinelDiscovery.Answer(runId(A), lists(B, C).peers()), B, lists(A, C), C, lists(A, B));
        assertEquals(List.of(), discovery.decide(set, answers, T0).changes());
        // the run id is remembered: the seed's IP address is not followed while the seed does not answer either
        assertEquals(List.of(), discovery.decide(set, answers(B, lists(A, C), C, lists(A, B)), T0.plusSeconds(1)).changes());
    }

    @Test
    void nobodyIsFollowedWhileASeedConfiguredByHostnameHasNotToldItsRunId() {
        HostPort seedByName = new HostPort("sentinel-a.example", 26379);
        List<FollowedSentinels.Sentinel> set = List.of(configured(seedByName), configured(B), configured(C));
        // the seed does not answer; B and C list it under its IP address A, and D
        Map<HostPort, SentinelDiscovery.Answer> withoutSeed = answers(B, lists(A, C, D), C, lists(A, B, D));
        SentinelDiscovery.Decision waiting = discovery.decide(set, withoutSeed, T0);
        assertEquals(List.of(), waiting.changes(), "A might be the seed itself: it would count twice");
        assertEquals(2, waiting.candidates().size());
        Map<HostPort, SentinelDiscovery.Answer> withSeed = new HashMap<>(withoutSeed);
        withSeed.put(seedByName, new SentinelDiscovery.Answer(runId(A), lists(B, C, D).peers()));
        assertEquals(Set.of(D), followed(discovery.decide(set, withSeed, T0.plusSeconds(1))));
    }
}
