package dev.sentinelrelay.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A process started by a test, with its output in a log file, stopped by its own PID. */
final class ManagedProcess {

    private final String name;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ManagedProcess start(String name, List<String> command, Path workDir, Path log, Map<String, String> env) {
        return start(name, command, workDir, log, env, ProcessBuilder.Redirect.PIPE);
    }

    /** Likewise, its standard input from {@code input} (a Redis server reads its configuration there). */
    static ManagedProcess start(String name, List<String> command, Path workDir, Path log, Map<String, String> env,
            ProcessBuilder.Redirect input) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectInput(input)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        try {
            return new ManagedProcess(name, pb.start(), log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + command, e);
        }
    }

    /** A process started by the caller (with its own redirections), stopped like the others. */
    static ManagedProcess wrap(String name, Process process, Path log) {
        return new ManagedProcess(name, process, log);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            stop();
            throw new AssertionError(name + " did not exit within " + seconds + " s");
        }
        return process.exitValue();
    }

    /** SIGKILL: the process gets no chance to clean up, as in a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Sends a signal by PID (STOP freezes the process as a hung server would be, CONT thaws it). */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
        }
    }

    /** SIGTERM, then SIGKILL if it has not exited within five seconds. */
    void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
