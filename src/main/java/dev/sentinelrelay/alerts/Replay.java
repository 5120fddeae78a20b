package dev.sentinelrelay.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinelrelay.support.DurableFiles;
import dev.sentinelrelay.configuration.ConfigException;
import dev.sentinelrelay.configuration.RelayConfig;
import dev.sentinelrelay.configuration.RelayProperties;
import dev.sentinelrelay.deadletter.DeadLetters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/relay replay [channel]}: moves dead-lettered alert messages (all, or one channel's) back into the
 * outbox. A running relay sends them within 5 s; a stopped one at its next start. Messages for channels no
 * longer configured stay in the dead-letter store. Exit code 0, or 2 for a configuration error.
 */
public final class Replay {

    private Replay() {
    }

    public static void main(String[] args) {
        Path configFile = Path.of(System.getProperty("relay.config", "config/application.properties"));
        String only = args.length > 0 ? args[0] : null;
        try {
            RelayConfig config = RelayConfig.from(RelayProperties.load(configFile));
            if (only != null && config.alerts().channel(only) == null) {
                throw new ConfigException("relay.alerts.channels", "has no channel '" + only + "'");
            }
            Path dataDir = Path.of(config.dataDir());
            List<OutboxEntry> replayed = replay(new DeadLetters(dataDir), dataDir, config, only);
            System.out.println("replay: " + replayed.size() + " alert message(s) back in " + dataDir.resolve("outbox"));
            replayed.forEach(e -> System.out.println("  " + e));
        } catch (ConfigException e) {
            System.err.println("sentinel-relay replay: configuration error: " + e.getMessage());
            System.exit(2);
        } catch (UncheckedIOException e) {
            System.err.println("sentinel-relay replay: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Puts every matching alert dead letter into the outbox, then removes it from the dead-letter store. */
    static List<OutboxEntry> replay(DeadLetters deadLetters, Path dataDir, RelayConfig config, String only) {
        List<OutboxEntry> entries = new ArrayList<>();
        deadLetters.take(line -> {
            OutboxEntry entry = entry(line);
            if (entry == null || config.alerts().channel(entry.channel()) == null
                    || (only != null && !only.equals(entry.channel()))) {
                return false;
            }
            AlertOutbox.put(dataDir, entry);
            entries.add(entry);
            return true;
        });
        return entries;
    }

    /** The alert message a dead-letter line holds; null for other dead letters. */
    private static OutboxEntry entry(String line) {
        try {
            JsonNode node = DurableFiles.JSON.readTree(line);
            String destination = node.path("destination").asText("");
            JsonNode message = node.get(AlertOutbox.ALERTS);
            if (!destination.startsWith(AlertOutbox.DESTINATION_PREFIX) || message == null) {
                return null;
            }
            return DurableFiles.JSON.readValue(message.asText(), OutboxEntry.class);
        } catch (IOException e) {
            return null;
        }
    }
}
