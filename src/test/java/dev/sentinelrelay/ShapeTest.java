package dev.sentinelrelay;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shape of src/main: packages by stage with no cycle between them (read from the import lines), and no class
 * over 300 lines. Run alone: {@code mvn -B test -Dtest=ShapeTest}.
 */
class ShapeTest {

    private static final Path MAIN = Path.of("src/main/java");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dev\\.sentinelrelay(?:\\.[a-z]\\w*)*)\\.[A-Z]",
            Pattern.MULTILINE);
    private static final int MAX_LINES = 300;

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String packageOf(Path source) {
        return MAIN.relativize(source.getParent()).toString().replace('/', '.');
    }

    /** package -> the packages it imports from. */
    static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (Path source : sources()) {
            String from = packageOf(source);
            Set<String> to = uses.computeIfAbsent(from, p -> new TreeSet<>());
            Matcher m = IMPORT.matcher(Files.readString(source));
            while (m.find()) {
                if (!m.group(1).equals(from)) {
                    to.add(m.group(1));
                }
            }
        }
        return uses;
    }

    @Test
    void noPackageCycle() throws IOException {
        Map<String, Set<String>> uses = dependencies();
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            findCycle(start, start, uses, new ArrayList<>(List.of(start)), new TreeSet<>(), cycles);
        }
        assertEquals(List.of(), cycles, "package cycles (each as the chain of imports)");
    }

    private static void findCycle(String start, String at, Map<String, Set<String>> uses, List<String> chain,
                                  Set<String> seen, List<String> cycles) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                // reported once, from its alphabetically first package
                if (chain.stream().allMatch(p -> p.compareTo(start) >= 0)) {
                    cycles.add(String.join(" -> ", chain) + " -> " + start);
                }
            } else if (seen.add(next)) {
                chain.add(next);
                findCycle(start, next, uses, chain, seen, cycles);
                chain.remove(chain.size() - 1);
            }
        }
    }

    @Test
    void noClassOverThreeHundredLines() throws IOException {
        List<String> tooLong = new ArrayList<>();
        for (Path source : sources()) {
            long lines = Files.readAllLines(source).size();
            if (lines > MAX_LINES) {
                tooLong.add(MAIN.relativize(source) + " " + lines);
            }
        }
        assertEquals(List.of(), tooLong, "classes over " + MAX_LINES + " lines");
    }
}
