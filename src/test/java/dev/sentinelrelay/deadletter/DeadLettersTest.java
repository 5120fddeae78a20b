package dev.sentinelrelay.deadletter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLettersTest {

    @TempDir
    Path dir;

    @Test
    void appendsOneJsonLinePerEntryWithTheReason() throws IOException {
        DeadLetters letters = new DeadLetters(dir.resolve("data"));
        Map<String, String> details = new LinkedHashMap<>();
        details.put("master", "mymaster");
        details.put("reason", "Cannot connect to 127.0.0.1:9999");
        letters.store(new DeadLetter("haproxy-2", details));
        letters.store(new DeadLetter("haproxy-2", Map.of("reason", "again")));

        List<String> lines = Files.readAllLines(dir.resolve("data").resolve(DeadLetters.FILE));
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).matches("\\{\"time\":\"[0-9T:.Z-]+\",\"destination\":\"haproxy-2\",\"master\":\"mymaster\","
                + "\"reason\":\"Cannot connect to 127.0.0.1:9999\"}"), lines.get(0));
        assertTrue(lines.get(1).endsWith("\"reason\":\"again\"}"), lines.get(1));
    }

    @Test
    void refusesADirectoryItCannotCreate() throws IOException {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        assertThrows(UncheckedIOException.class, () -> new DeadLetters(file.resolve("sub")));
    }
}
