package dev.sentinelrelay.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DurableFilesTest {

    @TempDir
    Path dir;

    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertEquals("{\"a\":\"say \\\"hi\\\"\\\\n\\nx\\u0001\"}", DurableFiles.json(Map.of("a", "say \"hi\"\\n\nx\u0001")));
    }

    @Test
    void replacesAFileWholeInDirectoriesItCreatesAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("outbox").resolve("slack").resolve("1.json");
        DurableFiles.replace(file, "old");
        DurableFiles.replace(file, "new");
        assertEquals("new", Files.readString(file));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void linesEndWithANewlineAndNoLinesLeaveAnEmptyFile() throws IOException {
        Path file = dir.resolve("dead-letters.jsonl");
        DurableFiles.replace(file, List.of("{\"a\":1}", "{\"b\":2}"));
        assertEquals("{\"a\":1}\n{\"b\":2}\n", Files.readString(file));
        DurableFiles.replace(file, List.of());
        assertEquals("", Files.readString(file));
    }
}
