package dev.sentinelrelay.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link in README.md and docs/ leads somewhere: the file (or directory) exists, and a {@code #anchor}
 * names a heading of the page it points into, as GitHub makes anchors of headings. Links to other sites and mailto:
 * are not followed.
 */
class LinksTest {

    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final Pattern FENCED_CODE = Pattern.compile("(?ms)^\\s*(```|~~~).*?^\\s*\\1[^\\n]*$");
    private static final Pattern INLINE_CODE = Pattern.compile("(`+)[^`].*?\\1", Pattern.DOTALL);
    /** The target of an inline link or image, {@code ](target "title")}, and of a reference, {@code [ref]: target}. */
    private static final Pattern TARGET = Pattern.compile("]\\(\\s*(<[^>]*>|[^)\\s]*)|(?m)^ {0,3}\\[[^]]+]:\\s*(\\S+)");
    private static final Pattern HEADING = Pattern.compile("(?m)^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern SKIPPED = Pattern.compile("(?i)(https?|mailto):.*");

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(REPO.resolve("README.md")));
        try (Stream<Path> docs = Files.walk(REPO.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        Set<String> broken = new TreeSet<>();
        int checked = 0;
        for (Path page : pages) {
            Matcher m = TARGET.matcher(prose(Files.readString(page)));
            while (m.find()) {
                String target = (m.group(1) != null ? m.group(1) : m.group(2)).replaceAll("^<|>$", "");
                if (target.isEmpty() || SKIPPED.matcher(target).matches()) {
                    continue;
                }
                checked++;
                String problem = problem(page, target);
                if (problem != null) {
                    broken.add(REPO.relativize(page) + ": (" + target + ") " + problem);
                }
            }
        }
        assertTrue(checked > 0, "no relative link found in " + pages);
        assertEquals(Set.of(), broken, "broken links");
    }

    @Test
    void anchorsAreMadeAsGitHubMakesThem() {
        assertEquals(List.of("what-it-does", "relayhaproxymastermode-and-tls", "the-flow", "the-flow-1", "fencing--guarantees"),
                anchors("# What it does\n## `relay.haproxy.<master>.mode` and [TLS](tls.md)\n```\n# not a heading\n```\n"
                        + "## The flow\n### The flow\n## Fencing & guarantees ##\n"));
    }

    /** Why {@code target}, linked from {@code page}, leads nowhere; null when it resolves. */
    private static String problem(Path page, String target) throws IOException {
        int hash = target.indexOf('#');
        String path = URLDecoder.decode(hash < 0 ? target : target.substring(0, hash), StandardCharsets.UTF_8);
        String anchor = hash < 0 ? null : URLDecoder.decode(target.substring(hash + 1), StandardCharsets.UTF_8);
        Path file = path.isEmpty() ? page
                : (path.startsWith("/") ? REPO.resolve(path.substring(1)) : page.getParent().resolve(path)).normalize();
        if (!file.startsWith(REPO)) {
            return "points outside the repository";
        }
        if (!Files.exists(file)) {
            return "no such file";
        }
        // anchors of other files (a line of a YAML file on GitHub: #L12) are not headings
        if (anchor != null && file.toString().endsWith(".md") && !anchors(Files.readString(file)).contains(anchor)) {
            return "no heading with anchor #" + anchor + " in " + REPO.relativize(file);
        }
        return null;
    }

    /** The anchors GitHub gives the page's headings, in order; a repeated one gets -1, -2, ... */
    static List<String> anchors(String markdown) {
        List<String> anchors = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        Matcher m = HEADING.matcher(FENCED_CODE.matcher(markdown).replaceAll(""));
        while (m.find()) {
            String text = m.group(1).replaceAll("!?\\[([^]]*)]\\([^)]*\\)", "$1"); // a link's text stays
            String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_ -]", "").replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum);
            anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
        }
        return anchors;
    }

    /** The page without code: a link in a code block or span is an example, not a link. */
    private static String prose(String markdown) {
        return INLINE_CODE.matcher(FENCED_CODE.matcher(markdown).replaceAll("")).replaceAll("");
    }
}
