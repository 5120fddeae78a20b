package dev.sentinelrelay.alerts;

import dev.sentinelrelay.support.DurableFiles;
import dev.sentinelrelay.configuration.AlertsConfig;
import dev.sentinelrelay.configuration.AlertsConfig.Channel;
import dev.sentinelrelay.deadletter.DeadLetter;
import dev.sentinelrelay.deadletter.DeadLetters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The durable outbox: a grouped message is written to {@code <relay.data.dir>/outbox/<channel>/<id>.json} (forced
 * to disk) before the first delivery attempt and deleted only once the channel accepted it. A relay killed
 * meanwhile finds it there at start-up and sends it again (at least once). After the last attempt it moves to
 * the dead-letter store, from where {@code bin/relay replay} puts it back here.
 */
public final class AlertOutbox {

    private static final Logger LOG = LoggerFactory.getLogger(AlertOutbox.class);
    /** Dead letters of alert channels are stored under destination {@code alert:<channel>}. */
    public static final String DESTINATION_PREFIX = "alert:";
    /** Dead-letter field holding the undelivered message as JSON (what replay sends again). */
    public static final String ALERTS = "message";
    /** Dead-letter field: true when every alert of the message is itself about a failed alert channel. */
    public static final String ABOUT_ALERTS = "about-alert-channels";
    /** Alert detail naming the channel an alert is about: that channel does not get it. */
    public static final String CHANNEL = "channel";

    private final AlertsConfig config;
    private final Path dir;
    private final DeadLetters deadLetters;
    /** ids of entries handed to a channel route and not settled yet, per channel */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** ids of alerts waiting in the group window, held on disk under {@link #GROUPING} */
    private final Set<String> grouping = ConcurrentHashMap.newKeySet();
    /** Alerts waiting for their group window to close: written when raised, deleted once their group is stored. */
    static final String GROUPING = "grouping";

    public AlertOutbox(AlertsConfig config, Path dataDir, DeadLetters deadLetters) {
        this.config = config;
        this.dir = dataDir.resolve("outbox");
        this.deadLetters = deadLetters;
    }

    /** Writes an alert to disk while it waits for its group window, so a relay killed meanwhile sends it later. */
    public Alert hold(Alert alert) {
        DurableFiles.replace(dir.resolve(GROUPING).resolve(alert.id() + ".json"), DurableFiles.json(alert));
        grouping.add(alert.id());
        return alert;
    }

    /** Alerts on disk that no group window holds: left by a relay that was killed before their group was stored. */
    public List<Alert> ungrouped() {
        List<Alert> out = new ArrayList<>();
        for (Path file : jsonFiles(dir.resolve(GROUPING))) {
            Alert alert = read(file, Alert.class);
            if (alert != null && grouping.add(alert.id())) {
                LOG.info("outbox: grouping {} again (left from before)", alert);
                out.add(alert);
            }
        }
        return out;
    }

    /**
     * Stores the group once for every channel that takes at least one of its alerts (by severity, resolves, and
     * never an alert about the channel itself), and returns those entries, now in flight. The alerts a relay sends
     * itself even when it does not lead ({@link OutboxEntry#deliveredByRaiser}) go in a message of their own.
     */
    public List<OutboxEntry> store(List<Alert> alerts) {
        String created = Instant.now().toString();
        List<OutboxEntry> entries = new ArrayList<>();
        for (List<Alert> part : alerts.stream().collect(Collectors.partitioningBy(a -> a.kind().deliveredByRaiser())).values()) {
            if (part.isEmpty()) {
                continue;
            }
            String id = UUID.randomUUID().toString();
            for (Channel channel : config.channels()) {
                List<Alert> taken = part.stream()
                        .filter(a -> channel.accepts(a.kind().severity, a.kind().resolve()))
                        .filter(a -> !channel.name().equals(a.details().get(CHANNEL)))
                        .toList();
                if (!taken.isEmpty()) {
                    OutboxEntry entry = new OutboxEntry(id, channel.name(), created, taken);
                    DurableFiles.replace(file(dir, entry), DurableFiles.json(entry));
                    inFlight.add(key(entry));
                    entries.add(entry);
                }
            }
        }
        for (Alert alert : alerts) {
            delete(dir.resolve(GROUPING).resolve(alert.id() + ".json"));
            grouping.remove(alert.id());
        }
        return entries;
    }

    /**
     * Entries on disk that no channel route is working on and this relay may send now: left by a crash, put back by
     * replay, or held while another relay led. A relay that does not write ({@code writer} false: a standby, an
     * observer) sends only the alerts it sends itself; the rest waits for the leader's delivery or this relay's turn.
     */
    public List<OutboxEntry> unsent(boolean writer) {
        List<OutboxEntry> out = new ArrayList<>();
        for (Channel channel : config.channels()) {
            for (Path file : jsonFiles(dir.resolve(channel.name()))) {
                OutboxEntry entry = read(file, OutboxEntry.class);
                if (entry != null && (writer || entry.deliveredByRaiser()) && inFlight.add(key(entry))) {
                    LOG.info("outbox: sending {} (left from before)", entry);
                    out.add(entry);
                }
            }
        }
        return out;
    }

    /** The channel accepted it: it leaves the outbox. */
    public void delivered(OutboxEntry entry) {
        delete(entry);
        LOG.info("alert delivered: {}: {}", entry, summaries(entry));
    }

    /** This relay may not send it (it does not lead): it stays on disk, for the leader's registry or our turn. */
    public void held(OutboxEntry entry) {
        inFlight.remove(key(entry));
        LOG.debug("outbox: {} held: this relay does not lead", entry);
    }

    /**
     * Removes the alerts {@code which} picks from the channel's entries on disk that nothing is sending (rewriting
     * an entry with the rest, or deleting it when none is left).
     */
    public void drop(String channel, Function<OutboxEntry, Set<Alert>> which) {
        for (Path file : jsonFiles(dir.resolve(channel))) {
            OutboxEntry entry = read(file, OutboxEntry.class);
            if (entry == null || !inFlight.add(key(entry))) {
                continue;
            }
            try {
                Set<Alert> dropped = which.apply(entry);
                List<Alert> rest = entry.alerts().stream().filter(a -> !dropped.contains(a)).toList();
                if (rest.isEmpty()) {
                    delete(file);
                } else if (rest.size() < entry.alerts().size()) {
                    DurableFiles.replace(file, DurableFiles.json(new OutboxEntry(entry.id(), channel, entry.created(), rest)));
                }
            } finally {
                inFlight.remove(key(entry));
            }
        }
    }

    /**
     * After the last attempt, or at once for a configuration error: into the dead-letter store, with the reason, and
     * out of the outbox. Returns the dead letter (alerted on the other channels).
     */
    public DeadLetter failed(OutboxEntry entry, Throwable cause) {
        String reason = DeliveryFailure.of(cause).reason();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("reason", reason);
        details.put("alerts", summaries(entry));
        details.put(ABOUT_ALERTS, String.valueOf(entry.alerts().stream().allMatch(a -> a.kind() == AlertKind.DELIVERY_FAILED
                && a.details().getOrDefault("destination", "").startsWith(DESTINATION_PREFIX))));
        details.put(ALERTS, DurableFiles.json(entry));
        DeadLetter letter = deadLetters.store(new DeadLetter(DESTINATION_PREFIX + entry.channel(), details));
        LOG.error("alert delivery failed: {}: {}; dead-lettered", entry, reason);
        delete(entry);
        return letter;
    }

    private static String summaries(OutboxEntry entry) {
        return String.join(" | ", entry.alerts().stream().map(Alert::toString).toList());
    }

    private void delete(OutboxEntry entry) {
        delete(file(dir, entry));
        inFlight.remove(key(entry));
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.error("outbox: cannot delete {}: {} (it will be sent again)", file, e.getMessage());
        }
    }

    private static List<Path> jsonFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            LOG.error("outbox: cannot list {}: {}", dir, e.getMessage());
            return List.of();
        }
    }

    private static Path file(Path outbox, OutboxEntry entry) {
        return outbox.resolve(entry.channel()).resolve(entry.id() + ".json");
    }

    private static String key(OutboxEntry entry) {
        return entry.channel() + "/" + entry.id();
    }

    /** Puts an entry (a replayed dead letter) into the outbox, where the relay picks it up. */
    static void put(Path dataDir, OutboxEntry entry) {
        DurableFiles.replace(file(dataDir.resolve("outbox"), entry), DurableFiles.json(entry));
    }

    /** The value in a file; null, with the file renamed to *.bad so it is reported once, when it is unreadable. */
    private static <T> T read(Path file, Class<T> type) {
        try {
            return DurableFiles.JSON.readValue(file.toFile(), type);
        } catch (IOException e) {
            Path bad = file.resolveSibling(file.getFileName() + ".bad");
            LOG.error("outbox: {} is not a readable alert message ({}); moved to {}", file, e.getMessage(), bad);
            try {
                Files.move(file, bad, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                LOG.error("outbox: cannot move {}: {}", file, moveFailed.getMessage());
            }
            return null;
        }
    }
}
