package dev.sentinelrelay.destinations.haproxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MapFileTest {

    private static final FileTime LONG_AGO = FileTime.from(Instant.parse("2000-01-01T00:00:00Z"));

    @TempDir
    Path dir;

    private Path map(String... lines) throws IOException {
        Path file = dir.resolve("redis.map");
        Files.write(file, List.of(lines));
        return file;
    }

    @Test
    void replacesTheKeysEntryAndKeepsEveryOtherLine() throws IOException {
        Path file = map("# written by hand", "cache redis_cache1", "mymaster redis_node1", "", "other redis_x");
        MapFile.put(file, "mymaster", "redis_node2");
        assertEquals(List.of("# written by hand", "cache redis_cache1", "mymaster redis_node2", "", "other redis_x"),
                Files.readAllLines(file));
    }

    @Test
    void addsTheKeyWhenMissing() throws IOException {
        Path file = map("cache redis_cache1");
        MapFile.put(file, "mymaster", "redis_node2");
        assertEquals(List.of("cache redis_cache1", "mymaster redis_node2"), Files.readAllLines(file));
    }

    @Test
    void createsAMissingFile() throws IOException {
        Path file = dir.resolve("new.map");
        MapFile.put(file, "mymaster", "redis_node1");
        assertEquals(List.of("mymaster redis_node1"), Files.readAllLines(file));
    }

    @Test
    void writesNothingWhenTheEntryIsAlreadyThere() throws IOException {
        Path file = map("cache redis_cache1", "mymaster redis_node1");
        Files.setLastModifiedTime(file, LONG_AGO);
        MapFile.put(file, "mymaster", "redis_node1");
        assertEquals(LONG_AGO, Files.getLastModifiedTime(file));
        assertEquals(List.of("cache redis_cache1", "mymaster redis_node1"), Files.readAllLines(file));
    }

    @Test
    void leavesCommentsAndLongerKeysAlone() throws IOException {
        Path file = map("#mymaster redis_old", "mymaster2 redis_node9", "mymaster redis_node1");
        MapFile.put(file, "mymaster", "redis_reject");
        assertEquals(List.of("#mymaster redis_old", "mymaster2 redis_node9", "mymaster redis_reject"),
                Files.readAllLines(file));
    }

    @Test
    void collapsesDuplicateEntriesOfTheKeyIntoOne() throws IOException {
        Path file = map("mymaster redis_node1", "cache redis_cache1", "  mymaster   redis_node3");
        MapFile.put(file, "mymaster", "redis_node2");
        assertEquals(List.of("mymaster redis_node2", "cache redis_cache1"), Files.readAllLines(file));
    }

    @Test
    void leavesNoTemporaryFileBehind() throws IOException {
        Path file = map("mymaster redis_node1");
        MapFile.put(file, "mymaster", "redis_node2");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }
}
