package dev.sentinelrelay.cluster;

/**
 * When a relay counts as cut off from ZooKeeper: disconnected for a session timeout of the time it ran. A relay
 * frozen (SIGSTOP, a long pause) while disconnected has not been trying to reconnect meanwhile: after such a pause
 * its disconnection is timed again from when it runs, so a relay that reconnects at once when it resumes raises no
 * coordination-lost alert (and no resolve right after it). Told the watch's ticks (every second) and the connection
 * changes; times are {@link System#nanoTime()}-like.
 */
final class CutOff {

    private static final long NONE = Long.MIN_VALUE;

    private final long thresholdNanos;
    private final long pauseNanos;
    /** since when it is disconnected, counted from its last pause; NONE while connected */
    private long since;
    private long lastTick = NONE;
    private boolean reported;

    /**
     * @param thresholdNanos the session timeout: disconnected this long while running is cut off
     * @param pauseNanos     a gap between two ticks longer than this is a pause, not time spent reconnecting
     * @param now            when the relay starts (unconnected)
     */
    CutOff(long thresholdNanos, long pauseNanos, long now) {
        this.thresholdNanos = thresholdNanos;
        this.pauseNanos = pauseNanos;
        this.since = now;
    }

    synchronized void disconnected(long now) {
        if (since == NONE) {
            since = now;
        }
    }

    /** Connected again; true when the cut-off was reported (a resolve is due). */
    synchronized boolean connected() {
        since = NONE;
        boolean wasReported = reported;
        reported = false;
        return wasReported;
    }

    /** The watch's tick (every second, connected or not): a gap since the last one longer than a pause restarts the clock. */
    synchronized void tick(long now) {
        boolean resumed = lastTick != NONE && now - lastTick > pauseNanos;
        lastTick = now;
        if (resumed && since != NONE) {
            since = now;
        }
    }

    /** True once per disconnection, when it has lasted the threshold while the relay ran: report it now. */
    synchronized boolean report(long now) {
        if (since == NONE || reported || now - since < thresholdNanos) {
            return false;
        }
        reported = true;
        return true;
    }

    synchronized boolean isDisconnected() {
        return since != NONE;
    }
}
