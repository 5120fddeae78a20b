package dev.sentinelrelay.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The picture of the flow in docs/ is the one the current routes/*.yaml draw: a route change needs bin/flow. */
class FlowGraphTest {

    private static final Path DOT = Path.of("docs/flow.dot");
    private static final Path SVG = Path.of("docs/flow.svg");
    /** What bin/flow writes at the end of the SVG: the hash of the DOT text it rendered. */
    private static final Pattern RENDERED_FROM = Pattern.compile("<!-- flow\\.dot sha256 ([0-9a-f]{64}) -->");

    @Test
    void flowDotIsDrawnFromTheCurrentRoutes() throws IOException {
        List<String> drawn = FlowGraph.dot(Path.of("routes")).lines().toList();
        List<String> checkedIn = Files.readString(DOT).lines().toList();
        int line = 0;
        while (line < drawn.size() && line < checkedIn.size() && drawn.get(line).equals(checkedIn.get(line))) {
            line++;
        }
        assertTrue(line == drawn.size() && line == checkedIn.size(), DOT + " is not drawn from the current routes/*.yaml:"
                + " run bin/flow and commit docs/flow.dot and docs/flow.svg. First difference, line " + (line + 1)
                + ": routes draw '" + at(drawn, line) + "', " + DOT + " has '" + at(checkedIn, line) + "'");
    }

    @Test
    void flowSvgIsRenderedFromTheCheckedInDot() throws IOException, NoSuchAlgorithmException {
        Matcher m = RENDERED_FROM.matcher(Files.readString(SVG));
        assertTrue(m.find(), SVG + " has no '<!-- flow.dot sha256 ... -->' line: render it with bin/flow");
        String dotHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(DOT)));
        assertEquals(dotHash, m.group(1), SVG + " was rendered from another " + DOT + ": run bin/flow");
    }

    private static String at(List<String> lines, int index) {
        return index < lines.size() ? lines.get(index) : "(end of file)";
    }
}
