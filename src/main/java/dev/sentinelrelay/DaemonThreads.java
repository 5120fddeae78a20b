package dev.sentinelrelay;

import java.util.concurrent.ThreadFactory;

/** The relay's own threads: named for the logs, and daemons, so none of them keeps a stopping JVM alive. */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
