package dev.sentinelrelay.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Debian's chromium, headless, without a driver: renders a page (scripts and their fetches included). */
final class Chromium {

    /** Long enough for the page's first fetches and render; virtual time, so it does not make the test slower. */
    private static final String SCRIPT_BUDGET_MS = "5000";

    private final Path dir;

    /** @param dir where its fresh profiles and logs go */
    Chromium(Path dir) {
        this.dir = dir;
    }

    /** The DOM after the page's scripts ran. */
    String dumpDom(String url) throws IOException, InterruptedException {
        Path out = dir.resolve("dom-" + System.nanoTime() + ".html");
        ManagedProcess p = run(List.of("--dump-dom", url), out);
        int exit = p.awaitExit(120);
        if (exit != 0) {
            throw new AssertionError("chromium exited with " + exit + ":\n" + Files.readString(out));
        }
        return Files.readString(out);
    }

    /** A PNG of the rendered page. */
    void screenshot(String url, Path png) throws IOException, InterruptedException {
        Files.createDirectories(png.getParent());
        ManagedProcess p = run(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=1280,1100", url),
                dir.resolve("screenshot-" + System.nanoTime() + ".log"));
        if (p.awaitExit(120) != 0 || !Files.exists(png)) {
            throw new AssertionError("chromium wrote no screenshot:\n" + p.logText());
        }
    }

    private ManagedProcess run(List<String> args, Path out) throws IOException {
        Path profile = Files.createTempDirectory(dir, "chromium-profile-");
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=" + SCRIPT_BUDGET_MS));
        command.addAll(args);
        // --dump-dom writes the DOM to stdout and its own messages to stderr: only stdout goes to the file
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(dir.resolve("chromium-" + System.nanoTime() + ".log").toFile());
        return ManagedProcess.wrap("chromium", pb.start(), out);
    }
}
