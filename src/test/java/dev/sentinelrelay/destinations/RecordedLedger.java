package dev.sentinelrelay.destinations;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Stands in for relayState in the pipeline's tests: each outcome as "destination holding". */
public final class RecordedLedger implements DestinationLedger {

    public final List<String> applied = new CopyOnWriteArrayList<>();
    public final List<String> failed = new CopyOnWriteArrayList<>();
    public final List<String> wouldChange = new CopyOnWriteArrayList<>();
    public final List<String> inStep = new CopyOnWriteArrayList<>();

    /** Stands in for leadership: whether this relay writes (false: observing, or a standby). */
    public static final class Leadership {
        public volatile boolean mayWrite = true;

        public boolean mayWrite() {
            return mayWrite;
        }
    }

    private static String at(DestinationTask task) {
        return task.destination() + " " + task.routing().holding();
    }

    @Override
    public void reportApplied(DestinationTask task) {
        applied.add(at(task));
    }

    @Override
    public void reportFailed(DestinationTask task, String reason) {
        failed.add(at(task) + ": " + reason);
    }

    @Override
    public void reportWouldChange(DestinationTask task) {
        wouldChange.add(at(task));
    }

    @Override
    public void reportInStep(DestinationTask task) {
        inStep.add(at(task));
    }
}
