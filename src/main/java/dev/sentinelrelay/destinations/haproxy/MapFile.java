package dev.sentinelrelay.destinations.haproxy;

import dev.sentinelrelay.support.DurableFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps an HAProxy map file in step with the runtime map, so an HAProxy restarted from its configuration
 * routes to the current master. Replaced whole ({@link DurableFiles#replace}): HAProxy never reads half a file.
 */
final class MapFile {

    private MapFile() {
    }

    /** Sets {@code key}'s entry to {@code value}, keeping every other line; writes nothing when it already is. */
    static synchronized void put(Path file, String key, String value) {
        try {
            List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
            List<String> out = new ArrayList<>();
            boolean found = false;
            for (String line : lines) {
                String[] f = line.strip().split("\\s+");
                if (!line.strip().startsWith("#") && f.length >= 1 && f[0].equals(key)) {
                    if (!found) {
                        out.add(key + " " + value);
                    }
                    found = true;
                } else {
                    out.add(line);
                }
            }
            if (!found) {
                out.add(key + " " + value);
            }
            if (out.equals(lines)) {
                return;
            }
            DurableFiles.replace(file, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write map file " + file + ": " + e.getMessage(), e);
        }
    }
}
