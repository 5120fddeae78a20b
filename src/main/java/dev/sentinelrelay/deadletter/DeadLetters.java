package dev.sentinelrelay.deadletter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The durable record of what the relay could not deliver after its retries: one JSON object per line in
 * {@code <relay.data.dir>/dead-letters.jsonl}, written and forced to disk before the failure is logged, so
 * nothing is lost silently even if the relay dies right after.
 */
public final class DeadLetters {

    public static final String FILE = "dead-letters.jsonl";

    private final Path file;
    /** Entries in the file, those of earlier runs included (for the metrics). */
    private final AtomicLong size = new AtomicLong();

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
        if (Files.exists(file)) {
            try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
                size.set(lines.filter(l -> !l.isBlank()).count());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** How many entries the store holds. */
    public long size() {
        return size.get();
    }

    public Path file() {
        return file;
    }

    /** Appends one entry: when, which destination, and every detail given (in order), including the reason. */
    public synchronized void store(String destination, Map<String, String> details) {
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("time", Instant.now().toString());
        entry.put("destination", destination);
        entry.putAll(details);
        try {
            Files.writeString(file, json(entry) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            size.incrementAndGet();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write dead letter to " + file + ": " + e.getMessage(), e);
        }
    }

    static String json(Map<String, String> fields) {
        StringBuilder out = new StringBuilder("{");
        fields.forEach((k, v) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(quote(k)).append(':').append(v == null ? "null" : quote(v));
        });
        return out.append('}').toString();
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
