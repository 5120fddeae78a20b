import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The floor for bench/failover-latency --unverified: the fastest updater that trusts events, run in the relay's
 * place to show what this machine allows. Not something to deploy: it routes to whatever address the first
 * {@code +switch-master} of any sentinel names (no majority, no {@code ROLE}, no fencing), which is what the relay
 * exists to avoid.
 *
 * <p>The sentinel's subscriber thread that receives the event writes the command itself, on a runtime API session
 * opened at start-up on HAProxy's unix socket and kept open (no thread hand-off, no connect, no retry): only
 * {@code set server <backend>/<server> addr <ip> port <port>} (config/haproxy/addr.cfg), which is what sends new
 * connections to the new master; the relay also cuts the old sessions, which a new connection does not wait for.
 * Prints "ready" once subscribed to every sentinel, and per update two lines in the relay's log format
 * ("decided: ..." and "haproxy updated: ... ms after ...") that bench/FailoverLatency.java reads like the relay's.
 *
 * <p>Launched as a single-file program with the relay's jar (Jedis) and bench/lib (BenchSentinels, BenchHaproxy) on
 * the class path. Arguments: sentinel ports (comma-separated), HAProxy's admin socket, backend/server.
 */
public class UnverifiedUpdater {

    /** HAProxy closes a quiet runtime API session after its stats timeout (10 s by default). */
    static final long KEEP_ALIVE_MS = 3000;

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: UnverifiedUpdater <sentinel-ports,...> <admin-socket> <backend/server>");
            System.exit(2);
        }
        int[] sentinels = Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray();
        String server = args[2];
        BenchHaproxy haproxy = new BenchHaproxy(Path.of(args[1]));
        Updater updater = new Updater(haproxy, server);
        BenchSentinels.Events events = new BenchSentinels.Events(sentinels, updater::onEvent);
        events.awaitSubscribed();
        System.out.println("ready");
        // until stopped (by PID, like the relay); a lost subscription is printed by Events
        while (true) {
            Thread.sleep(KEEP_ALIVE_MS);
            updater.keepAlive();
        }
    }

    /** Routes to the first announced address; later copies of the same announcement change nothing. */
    static final class Updater {
        private final BenchHaproxy haproxy;
        private final String server;
        private String routed;

        Updater(BenchHaproxy haproxy, String server) {
            this.haproxy = haproxy;
            this.server = server;
        }

        synchronized void keepAlive() throws Exception {
            haproxy.command("show version");
        }

        void onEvent(BenchSentinels.Event event) {
            if (!"+switch-master".equals(event.channel())) {
                return;
            }
            // <master-name> <old-ip> <old-port> <new-ip> <new-port>
            String[] fields = event.message().split(" ");
            if (fields.length != 5 || !BenchSentinels.MASTER.equals(fields[0])) {
                return;
            }
            String target = fields[3] + ":" + fields[4];
            synchronized (this) {
                if (target.equals(routed)) {
                    return;
                }
                // what it "decides" is what the event says: timed only to compare with the relay's line
                double decidedMillis = (System.nanoTime() - event.nanos()) / 1e6;
                String answer;
                try {
                    answer = haproxy.command("set server " + server + " addr " + fields[3] + " port " + fields[4]);
                } catch (Exception e) {
                    System.out.println("updater ERROR runtime API: " + e);
                    return;
                }
                double millis = (System.nanoTime() - event.nanos()) / 1e6;
                String from = routed == null ? "?" : routed;
                routed = target;
                System.out.printf(Locale.ROOT, "decided: %s %s -> %s, %.3f ms after +switch-master (not verified)%n",
                        BenchSentinels.MASTER, from, target, decidedMillis);
                System.out.printf(Locale.ROOT, "haproxy updated: %s %s -> %s on %s %.1f ms after +switch-master"
                        + " (HAProxy answered: %s)%n", BenchSentinels.MASTER, from, target, server, millis,
                        answer.strip().replace('\n', ' '));
            }
        }
    }
}
