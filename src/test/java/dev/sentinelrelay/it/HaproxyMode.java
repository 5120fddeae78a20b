package dev.sentinelrelay.it;

import java.nio.file.Path;

/** How HAProxy is set up for the relay: which committed config under config/haproxy/ the sandbox starts. */
enum HaproxyMode {
    /** One server entry whose address the relay sets. */
    ADDR("addr.cfg"),
    /** Every node a server with the role:master health check; the relay sets ready / maint. */
    STATE("state.cfg"),
    /** One backend per node, picked through a map file the relay edits. */
    MAP("map.cfg"),
    /** Writes as in STATE, plus a read frontend whose backend (every node, round-robin) the relay keeps as the read pool. */
    READ_WRITE("read-write.cfg");

    private final String file;

    HaproxyMode(String file) {
        this.file = file;
    }

    Path config() {
        return Sandbox.HOME.resolve("config/haproxy").resolve(file);
    }

    /** The write side is a backend of every node that the relay sets ready / maint (state mode). */
    boolean writesByState() {
        return this == STATE || this == READ_WRITE;
    }

    /** The config has a read frontend and a read backend. */
    boolean hasReadPool() {
        return this == READ_WRITE;
    }
}
