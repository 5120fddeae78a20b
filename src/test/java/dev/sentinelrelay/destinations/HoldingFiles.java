package dev.sentinelrelay.destinations;

import dev.sentinelrelay.support.Failures;
import dev.sentinelrelay.resolve.Routing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * docs/routes.md's example of a destination on the pipeline: a directory with one file per master, holding what the
 * master's clients should reach ({@link Routing#holding()}: {@code 10.0.0.2:6379} or {@code fenced 10.0.0.1:6379}).
 * Its send routes are in src/test/resources/destinations/holding-files.yaml; DestinationPipelineTest runs it.
 */
public final class HoldingFiles implements Destination<HoldingFiles.Task> {

    public static final Pipeline PIPELINE = new Pipeline("holding-files", "holdingFiles", "holdingFilesLatest",
            "relayState", "direct:holding-file-read", "direct:holding-file-write", "holding-files-retries");

    public static final String QUEUE = "holding-files-queue";

    /** One master's file. */
    public record Task(Routing routing, boolean readBack, Write write) implements DestinationTask {

        @Override
        public String queue() {
            return QUEUE;
        }

        @Override
        public String key() {
            return routing.name();
        }

        @Override
        public String destination() {
            return "holding-files";
        }

        /** The file's name. */
        public String file() {
            return routing.name();
        }
    }

    /** master -> what its file is known to hold. */
    private final Map<String, String> held = new ConcurrentHashMap<>();
    private final Path dir;

    /** @param dir where the files are (the send routes' holding-files.dir) */
    public HoldingFiles(Path dir) {
        this.dir = dir;
    }

    @Override
    public List<Task> tasks(Routing routing) {
        return List.of(new Task(routing, false, Write.FULL));
    }

    /** Nothing to do when the file is known to hold the routing; read it first when not known, or on a reconcile. */
    @Override
    public Task prepare(Task task) {
        Routing routing = task.routing();
        boolean readBack = routing.trigger().readBack() || !held.containsKey(routing.name());
        if (!readBack && routing.holding().equals(held.get(routing.name()))) {
            return null;
        }
        return new Task(routing, readBack, Write.FULL);
    }

    /** The file to read. */
    @Override
    public Object readBackRequest(Task task) {
        return dir.resolve(task.file()).toFile();
    }

    /** The file's content (null: no such file) against the routing. */
    @Override
    public Task afterReadBack(Task task, Object content) {
        boolean inStep = task.routing().holding().equals(content == null ? null : content.toString().strip());
        if (inStep) {
            held.put(task.routing().name(), task.routing().holding());
        }
        return new Task(task.routing(), true, inStep ? Write.NONE : Write.FULL);
    }

    @Override
    public Object writeRequest(Task task) {
        return task.routing().holding() + "\n";
    }

    @Override
    public void applied(Task task) {
        held.put(task.routing().name(), task.routing().holding());
    }

    @Override
    public String failed(Task task, Exception cause) {
        held.remove(task.routing().name());
        return String.valueOf(Failures.withoutCamelWrappers(cause).getMessage());
    }
}
