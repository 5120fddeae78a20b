package dev.sentinelrelay.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page rendered by a real headless Chromium while the relay follows the sandbox, before and after a
 * failover, with the API token given in the page's URL fragment. Screenshots are kept in target/status-page/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusPageIT extends SandboxIT {

    private static final String TOKEN = "status-page-token-5e2d";
    private static final Path SCREENSHOTS = Sandbox.HOME.resolve("target/status-page");
    private Path browserDir;
    private Chromium chromium;

    @BeforeAll
    void start() throws Exception {
        browserDir = Files.createTempDirectory("sentinel-relay-chromium-");
        chromium = new Chromium(browserDir);
        sandbox = Sandbox.start();
        relay = Relay.start(sandbox, Map.of("relay.api.token", TOKEN), Map.of("Authorization", "Bearer " + TOKEN));
    }

    @AfterAll
    void deleteBrowserDir() {
        Sandbox.keepLogsAndDelete(browserDir);
    }

    private String url() {
        return "http://127.0.0.1:" + relay.apiPort + "/#token=" + TOKEN;
    }

    /** The master section as rendered: {@code data-master-address} and its whole markup. */
    private static String masterSection(String dom) {
        Matcher m = Pattern.compile("<section id=\"master-mymaster\".*?</section>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find(), "no master section rendered:\n" + dom);
        return m.group();
    }

    private String render() throws Exception {
        String dom = chromium.dumpDom(url());
        assertTrue(dom.contains("data-loaded=\"true\""), "the page did not load its data:\n" + dom);
        return dom;
    }

    @Test
    @Order(1)
    void showsTheVerifiedMasterItsReplicasVotesDestinationsAndEvents() throws Exception {
        String master = "127.0.0.1:" + sandbox.sentinelMasterPort();
        String dom = render();
        String section = masterSection(dom);
        assertTrue(section.contains("data-master-address=\"" + master + "\""), section);
        assertTrue(section.contains("<span class=\"address\">" + master + "</span> <span class=\"pill ok\">master</span>"), section);
        assertEquals(2, count(section, "data-replica=\""), section);
        assertFalse(section.contains("data-replica=\"" + master + "\""), "the master is not listed as a replica");
        assertTrue(count(section, "<td class=\"\">" + master + "</td>") >= 2, "a majority votes for it: " + section);
        assertFalse(section.contains("class=\"bad\""), "nothing is wrong: " + section);
        assertTrue(section.contains("data-destination=\"haproxy-1\" data-in-step=\"true\""), section);
        assertTrue(dom.contains("data-decision=\"applied\""), "the start-up reconcile in the timeline");
        chromium.screenshot(url(), SCREENSHOTS.resolve("before-failover.png"));
    }

    @Test
    @Order(2)
    void afterAFailoverShowsTheNewMasterAndNoLongerTheOldOne() throws Exception {
        String oldMaster = "127.0.0.1:" + sandbox.sentinelMasterPort();
        String newMaster = "127.0.0.1:" + sandbox.failover();
        sandbox.awaitClientsReach(Integer.parseInt(newMaster.substring(newMaster.indexOf(':') + 1)));
        // until Sentinel lists the old master as a replica of the new one
        sandbox.awaitSentinelsSettled();

        String[] dom = new String[1];
        await("the page shows the new master").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    dom[0] = render();
                    String section = masterSection(dom[0]);
                    return section.contains("data-master-address=\"" + newMaster + "\"")
                            && section.contains("data-replica=\"" + oldMaster + "\"")
                            && section.contains("data-in-step=\"true\"");
                });
        String section = masterSection(dom[0]);
        assertFalse(section.contains("data-master-address=\"" + oldMaster + "\""), section);
        assertFalse(section.contains("<span class=\"address\">" + oldMaster + "</span>"), "the old one is not marked master");
        assertTrue(section.contains("<span class=\"address\">" + newMaster + "</span> <span class=\"pill ok\">master</span>"), section);
        assertTrue(section.contains("class=\"change\""), "the last change is shown");
        assertTrue(dom[0].contains("+switch-master mymaster"), "the failover's events are in the timeline");
        chromium.screenshot(url(), SCREENSHOTS.resolve("after-failover.png"));
        assertTrue(Files.size(SCREENSHOTS.resolve("after-failover.png")) > 10_000);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
