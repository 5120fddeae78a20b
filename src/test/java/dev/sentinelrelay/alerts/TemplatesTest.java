package dev.sentinelrelay.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.AlertsConfigTest;
import dev.sentinelrelay.configuration.RelayConfig;
import freemarker.template.Configuration;
import freemarker.template.Template;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every shipped template renders a grouped message with awkward text into what its receiver expects. */
class TemplatesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AlertsConfig alerts = RelayConfig.from(AlertsConfigTest.withChannels()::get).alerts();
    private final OutboxEntry entry = new OutboxEntry("g-1", "ops", "2026-11-22T06:00:00Z", List.of(
            Alert.of(AlertKind.MASTER_DOWN, "mymaster", "mymaster 10.0.0.1:6379 is \"down\"\n\ttab ü",
                    Map.of("address", "10.0.0.1:6379"), "down", null),
            Alert.of(AlertKind.FAILOVER, "othermaster", "othermaster failed over from 10.0.1.1:6379 to 10.0.1.2:6379",
                    Map.of("old master", "10.0.1.1:6379", "new master", "10.0.1.2:6379"), "failover", null)));

    private String render(AlertsConfig.Type type) throws Exception {
        Configuration fm = new Configuration(Configuration.VERSION_2_3_34);
        fm.setDirectoryForTemplateLoading(new File("config/templates"));
        Template template = fm.getTemplate(AlertMessages.template(type));
        StringWriter out = new StringWriter();
        template.process(Map.of("body", new AlertMessages(alerts).model(entry)), out);
        return out.toString();
    }

    @Test
    void slackNamesEveryMasterAndAddress() throws Exception {
        JsonNode slack = JSON.readTree(render(AlertsConfig.Type.SLACK));
        assertTrue(slack.path("text").asText().contains("2 alerts"), slack.toString());
        String all = slack.toString();
        assertTrue(all.contains("mymaster") && all.contains("othermaster") && all.contains("10.0.1.2:6379"), all);
    }

    @Test
    void teamsIsAnAdaptiveCardInAWorkflowsMessage() throws Exception {
        JsonNode teams = JSON.readTree(render(AlertsConfig.Type.TEAMS));
        assertEquals("message", teams.path("type").asText());
        JsonNode card = teams.path("attachments").get(0);
        assertEquals("application/vnd.microsoft.card.adaptive", card.path("contentType").asText());
        assertEquals("AdaptiveCard", card.path("content").path("type").asText());
        assertTrue(card.toString().contains("10.0.1.1:6379"), card.toString());
    }

    @Test
    void discordStaysWithinItsLimit() throws Exception {
        JsonNode discord = JSON.readTree(render(AlertsConfig.Type.DISCORD));
        String content = discord.path("content").asText();
        assertTrue(content.length() <= 2000 && content.contains("\"down\""), content);
    }

    @Test
    void theGenericDocumentKeepsEveryFieldAndTheTextIntact() throws Exception {
        JsonNode doc = JSON.readTree(render(AlertsConfig.Type.WEBHOOK));
        assertEquals("sentinel-relay", doc.path("source").asText());
        assertEquals("critical", doc.path("severity").asText());
        JsonNode down = doc.path("alerts").get(0);
        assertEquals("master-down", down.path("kind").asText());
        assertEquals("mymaster 10.0.0.1:6379 is \"down\"\n\ttab ü", down.path("summary").asText());
        assertEquals("10.0.1.2:6379", doc.path("alerts").get(1).path("details").path("new master").asText());
        assertTrue(doc.path("alerts").get(1).path("resolve").isBoolean());
    }

    @Test
    void emailIsPlainText() throws Exception {
        String mail = render(AlertsConfig.Type.EMAIL);
        assertTrue(mail.startsWith("[CRITICAL] 2 alerts: mymaster master down, othermaster failover completed"), mail);
        assertTrue(mail.contains("new master: 10.0.1.2:6379"), mail);
    }
}
