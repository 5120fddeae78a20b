package dev.sentinelrelay.deadletter;

import dev.sentinelrelay.support.DurableFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The durable record of what the relay could not deliver after its retries: one JSON object per line in
 * {@code <relay.data.dir>/dead-letters.jsonl}, written and forced to disk before the failure is logged, so
 * nothing is lost silently even if the relay dies right after.
 */
public final class DeadLetters {

    public static final String FILE = "dead-letters.jsonl";
    /** Held while the file is appended to or rewritten, by the relay and by {@code bin/relay replay} alike. */
    static final String LOCK = "dead-letters.lock";

    private final Path file;
    private final Path lock;

    /** Creates the directory if needed; throws {@link UncheckedIOException} when it cannot be written. */
    public DeadLetters(Path dir) {
        try {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException(dir + " is not writable");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        this.file = dir.resolve(FILE);
        this.lock = dir.resolve(LOCK);
    }

    /** How many entries the store holds now (for the metrics; bin/relay replay may have taken some). */
    public synchronized long size() {
        try (FileChannel held = locked()) {
            if (!Files.exists(file)) {
                return 0;
            }
            try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
                return lines.filter(l -> !l.isBlank()).count();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Appends one entry: when, which destination, and every detail given (in order), including the reason. */
    public synchronized DeadLetter store(DeadLetter letter) {
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("time", Instant.now().toString());
        entry.put("destination", letter.destination());
        entry.putAll(letter.details());
        try (FileChannel held = locked()) {
            Files.writeString(file, DurableFiles.json(entry) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write dead letter to " + file + ": " + e.getMessage(), e);
        }
        return letter;
    }

    /**
     * Removes the entries {@code taken} accepts and returns them (each line as written); the rest stay. The file
     * is rewritten atomically, so a crash leaves either all entries or the remaining ones.
     */
    public synchronized List<String> take(Predicate<String> taken) {
        try (FileChannel held = locked()) {
            if (!Files.exists(file)) {
                return List.of();
            }
            Map<Boolean, List<String>> split = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank()).collect(Collectors.partitioningBy(taken));
            List<String> out = split.get(true);
            if (!out.isEmpty()) {
                DurableFiles.replace(file, split.get(false));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file + ": " + e.getMessage(), e);
        }
    }

    /** An exclusive lock on the lock file, across processes; released when the channel is closed. */
    private FileChannel locked() throws IOException {
        FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            channel.lock();
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }
}
