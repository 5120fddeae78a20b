import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The floors for bench/failover-latency and bench/mass-failover, run in the relay's place to show what this machine
 * allows without Camel. Not something to deploy: neither fences nor retries a failed write, and it acts on
 * {@code +switch-master} only ({@code +promoted-slave} only gets its connections ready).
 * <ul>
 * <li>{@code unverified} (--unverified): routes to whatever address the first {@code +switch-master} of any sentinel
 * names (no majority, no {@code ROLE}), which is what the relay exists to avoid.
 * <li>{@code verified} (--floor): first verifies like the relay, as cheaply as it can be done: a strict majority of
 * the configured sentinels must name the announced address ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}, asked of all
 * at once) and that server must answer {@code ROLE} master, over connections opened at start-up (non-blocking, one
 * selector, no pool thread; those Sentinel closed are reopened on +promoted-slave, before the +switch-master);
 * retried every millisecond while the sentinels have not converged, for at most 5 s.
 * Plain TCP only: an SSLSocket cannot be registered with a selector, and TLS over SocketChannel needs an SSLEngine.
 * </ul>
 *
 * <p>The sentinel's subscriber thread that receives the event verifies and writes the command itself, on a runtime
 * API session opened at start-up on HAProxy's unix socket and kept open (no thread hand-off, no connect): only
 * {@code set server <backend>/<server> addr <ip> port <port>} (config/haproxy/addr.cfg), which is what sends new
 * connections to the new master; the relay also cuts the old sessions, which a new connection does not wait for.
 * Prints "ready" once subscribed to every sentinel, and per update two lines in the relay's log format
 * ("decided: ..." and "haproxy updated: ... ms after ...") that bench/FailoverLatency.java reads like the relay's.
 *
 * <p>Launched as a single-file program with the relay's jar (Jedis) and bench/lib (BenchSentinels, BenchHaproxy) on
 * the class path. Arguments: the mode, sentinel ports (comma-separated), HAProxy's admin socket, backend/server, and
 * in verified mode the sandbox's Redis server ports (comma-separated). Unverified, it also follows every master on
 * several HAProxies (bench/mass-failover --unverified): admin sockets comma-separated, and backend/server with
 * {@value #ANY_MASTER} for the master's name.
 */
public class FloorUpdater {

    /** HAProxy closes a quiet runtime API session after its stats timeout (10 s by default). */
    static final long KEEP_ALIVE_MS = 3000;

    public static void main(String[] args) throws Exception {
        boolean verified = args.length == 5 && args[0].equals("verified");
        if (!verified && !(args.length == 4 && args[0].equals("unverified"))) {
            System.err.println("usage: FloorUpdater unverified <sentinel-ports,...> <admin-socket,...> <backend/server>\n"
                    + "       FloorUpdater verified <sentinel-ports,...> <admin-socket> <backend/server>"
                    + " <redis-ports,...>");
            System.exit(2);
        }
        if (verified && !System.getenv().getOrDefault("SANDBOX_TLS_DIR", "").isEmpty()) {
            System.err.println("FloorUpdater verified: plain TCP only, and SANDBOX_TLS_DIR is set");
            System.exit(2);
        }
        if (verified && (args[2].contains(",") || args[3].contains(ANY_MASTER))) {
            System.err.println("FloorUpdater verified: one master (" + BenchSentinels.MASTER + ") and one HAProxy only");
            System.exit(2);
        }
        int[] sentinels = ports(args[1]);
        List<BenchHaproxy> haproxies = new ArrayList<>();
        for (String socket : args[2].split(",")) {
            haproxies.add(new BenchHaproxy(Path.of(socket)));
        }
        Check check = address -> "not verified";
        if (verified) {
            Verifier verifier = new Verifier(sentinels, ports(args[4]));
            verifier.warmUp();
            check = verifier;
        }
        Updater updater = new Updater(haproxies, args[3], check);
        BenchSentinels.Events events = new BenchSentinels.Events(sentinels, updater::onEvent);
        events.awaitSubscribed();
        System.out.println("ready");
        // until stopped (by PID, like the relay); a lost subscription is printed by Events
        while (true) {
            Thread.sleep(KEEP_ALIVE_MS);
            updater.keepAlive();
        }
    }

    static int[] ports(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** What makes sure of an announced address before the write: the decided line's note, or null not to write. */
    interface Check {
        String confirm(String address) throws InterruptedException;

        /** Called on +promoted-slave, about a second before the failover's +switch-master: time to get ready. */
        default void prepare() {
        }
    }

    /**
     * In the backend/server argument, stands for the master the event names (bench/mass-failover: redis_{master}/master
     * follows every master); without it only {@link BenchSentinels#MASTER} is followed.
     */
    static final String ANY_MASTER = "{master}";

    /**
     * Routes each master to the first confirmed address announced for it, on every HAProxy; later copies of the same
     * announcement change nothing. One event at a time (one lock for every master: with many masters the writes wait
     * for each other, as the runtime API sessions are shared).
     */
    static final class Updater {
        private final List<BenchHaproxy> haproxies;
        private final String server;
        private final Check check;
        private final Map<String, String> routed = new HashMap<>();

        Updater(List<BenchHaproxy> haproxies, String server, Check check) {
            this.haproxies = haproxies;
            this.server = server;
            this.check = check;
        }

        synchronized void keepAlive() throws Exception {
            for (BenchHaproxy haproxy : haproxies) {
                haproxy.command("show version");
            }
        }

        /** Called on a sentinel's subscriber thread: a failure here is printed, never thrown into its subscription. */
        void onEvent(BenchSentinels.Event event) {
            try {
                handle(event);
            } catch (RuntimeException e) {
                System.out.println("updater ERROR on " + event.channel() + " " + event.message() + ": " + e);
            }
        }

        private void handle(BenchSentinels.Event event) {
            if ("+promoted-slave".equals(event.channel())) {
                synchronized (this) {
                    check.prepare();
                }
                return;
            }
            if (!"+switch-master".equals(event.channel())) {
                return;
            }
            // <master-name> <old-ip> <old-port> <new-ip> <new-port>
            String[] fields = event.message().split(" ");
            if (fields.length != 5 || !(server.contains(ANY_MASTER) || BenchSentinels.MASTER.equals(fields[0]))) {
                return;
            }
            String master = fields[0];
            String entry = server.replace(ANY_MASTER, master);
            String target = fields[3] + ":" + fields[4];
            // one event at a time: the other sentinels' copies wait here and then find the work done
            synchronized (this) {
                if (target.equals(routed.get(master))) {
                    return;
                }
                String note;
                try {
                    note = check.confirm(target);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (note == null) {
                    return;
                }
                double decidedMillis = (System.nanoTime() - event.nanos()) / 1e6;
                List<String> answers = new ArrayList<>();
                try {
                    for (BenchHaproxy haproxy : haproxies) {
                        answers.add(haproxy.command("set server " + entry + " addr " + fields[3] + " port " + fields[4])
                                .strip().replace('\n', ' '));
                    }
                } catch (Exception e) {
                    System.out.println("updater ERROR runtime API of HAProxy " + (answers.size() + 1) + " of "
                            + haproxies.size() + ": " + e);
                    return;
                }
                double millis = (System.nanoTime() - event.nanos()) / 1e6;
                String from = routed.getOrDefault(master, "?");
                routed.put(master, target);
                System.out.printf(Locale.ROOT, "decided: %s %s -> %s, %.3f ms after +switch-master (%s)%n",
                        master, from, target, decidedMillis, note);
                System.out.printf(Locale.ROOT, "haproxy updated: %s %s -> %s on %s %.1f ms after +switch-master"
                        + " (HAProxy answered: %s)%n", master, from, target, entry, millis,
                        String.join(" | ", answers));
            }
        }
    }

    /**
     * The relay's verification on the caller's thread: the sentinels asked in parallel over connections opened at
     * start-up (one selector, non-blocking), the candidate's {@code ROLE} over a connection opened at start-up to
     * each Redis server (like the relay's pools after its warm-up). Used by one thread at a time (the Updater's lock).
     */
    static final class Verifier implements Check {
        static final long REPLY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
        static final long CONFIRM_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
        static final byte[] GET_MASTER_ADDR = command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", BenchSentinels.MASTER);
        static final byte[] ROLE = command("ROLE");

        private final Selector selector;
        private final List<Connection> sentinels = new ArrayList<>();
        /** "ip:port" as the sentinels name them → the connection to that server. */
        private final Map<String, Connection> servers = new LinkedHashMap<>();

        Verifier(int[] sentinelPorts, int[] serverPorts) throws IOException {
            selector = Selector.open();
            for (int port : sentinelPorts) {
                sentinels.add(new Connection("sentinel " + port, port, selector));
            }
            for (int port : serverPorts) {
                servers.put(BenchSentinels.HOST + ":" + port, new Connection("redis " + port, port, selector));
            }
        }

        /**
         * Asks once the way a failover will: the first use of the path loads its classes (milliseconds, which the
         * relay's warm-up also spends before it is ready), and it shows that every connection answers.
         */
        void warmUp() throws IOException, TimeoutException {
            Map<String, Integer> votes = new HashMap<>();
            String agreed = majority(votes);
            StringBuilder roles = new StringBuilder();
            for (String server : servers.keySet()) {
                roles.append(' ').append(server).append(isMaster(server) ? " master" : " not master");
            }
            System.out.println("warm-up: sentinels named " + votes + ", majority " + agreed + "; ROLE:" + roles);
        }

        /**
         * Reopens the connections Sentinel closed when it reconfigured their server (CLIENT KILL TYPE normal: the
         * promoted replica's when it promoted it, the other replicas' in earlier failovers), so that the verification
         * does not pay a connect; the relay's pool has fresh connections by then too (its promotion watch asks the
         * selected replica ROLE every millisecond during the failover).
         */
        @Override
        public void prepare() {
            noticeLost();
            sentinels.forEach(Connection::reopenIfLost);
            servers.values().forEach(Connection::reopenIfLost);
        }

        /**
         * The decided line's note once a strict majority of the configured sentinels names {@code address} and it
         * answers ROLE master; retried every millisecond while not (the other sentinels learn the new master just
         * after the first +switch-master), for at most 5 s. Null, with a printed line, when it gives up.
         */
        @Override
        public String confirm(String address) throws InterruptedException {
            long deadline = System.nanoTime() + CONFIRM_TIMEOUT_NANOS;
            Map<String, Integer> votes = new HashMap<>();
            String lastFailure = "none";
            while (true) {
                try {
                    if (address.equals(majority(votes)) && isMaster(address)) {
                        return "verified: " + votes.get(address) + " of " + sentinels.size()
                                + " sentinels, ROLE master";
                    }
                } catch (IOException | TimeoutException e) {
                    lastFailure = e.getMessage(); // a round that failed is retried like one that did not agree
                }
                if (System.nanoTime() > deadline) {
                    System.out.println("updater ERROR " + address + " not confirmed within "
                            + TimeUnit.NANOSECONDS.toMillis(CONFIRM_TIMEOUT_NANOS) + " ms (last round: sentinels named "
                            + votes + "; last failure: " + lastFailure + ")");
                    return null;
                }
                Thread.sleep(1);
            }
        }

        /**
         * Asks every sentinel and counts their answers into {@code votes} as they come, until one address has a
         * strict majority of all configured sentinels (not of those that answered); returns it, or null.
         */
        private String majority(Map<String, Integer> votes) throws IOException, TimeoutException {
            votes.clear();
            int needed = sentinels.size() / 2 + 1;
            ask(sentinels, GET_MASTER_ADDR, reply -> {
                String named = reply.address(); // null: the sentinel does not know the master, or an error
                return named != null && votes.merge(named, 1, Integer::sum) >= needed;
            });
            return votes.entrySet().stream().filter(vote -> vote.getValue() >= needed).map(Map.Entry::getKey)
                    .findFirst().orElse(null);
        }

        private boolean isMaster(String server) throws IOException, TimeoutException {
            Connection connection = servers.get(server);
            if (connection == null) {
                throw new IOException("no connection to " + server + ": not one of the sandbox's Redis servers");
            }
            return ask(List.of(connection), ROLE, reply -> "master".equals(reply.first()));
        }

        /**
         * Writes {@code command} on each connection of {@code asked}, then hands their replies, as they complete, to
         * {@code enough}: true as soon as it says so, false once all answered (or lost their connection) without.
         */
        private boolean ask(List<Connection> asked, byte[] command, Predicate<Reply> enough)
                throws IOException, TimeoutException {
            // a connection closed since prepare() is reopened before the command, not found closed while awaited
            noticeLost();
            Set<Connection> waiting = new HashSet<>();
            for (Connection connection : asked) {
                if (connection.send(command)) {
                    waiting.add(connection);
                }
            }
            long deadline = System.nanoTime() + REPLY_TIMEOUT_NANOS;
            while (!waiting.isEmpty()) {
                long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMillis <= 0) {
                    throw new TimeoutException("no reply from " + waiting + " within "
                            + TimeUnit.NANOSECONDS.toMillis(REPLY_TIMEOUT_NANOS) + " ms");
                }
                selector.select(leftMillis);
                if (readReady(waiting, enough)) {
                    return true;
                }
            }
            return false;
        }

        /** Reads what is already here: the replies left behind and the closes (a lost connection says so). */
        private void noticeLost() {
            try {
                selector.selectNow();
                readReady(new HashSet<>(), reply -> false);
            } catch (IOException e) {
                System.out.println("updater ERROR reading the connections: " + e.getMessage());
            }
        }

        /**
         * Reads the connections the last select found ready; hands the reply of each one in {@code waiting} to
         * {@code enough} (and no longer waits for it, nor for a lost one); true as soon as {@code enough} says so.
         */
        private boolean readReady(Set<Connection> waiting, Predicate<Reply> enough) throws IOException {
            for (Iterator<SelectionKey> ready = selector.selectedKeys().iterator(); ready.hasNext();) {
                Connection connection = (Connection) ready.next().attachment();
                ready.remove();
                Reply reply = connection.read();
                if (connection.isLost()) {
                    waiting.remove(connection);
                } else if (reply != null && waiting.remove(connection) && enough.test(reply)) {
                    // the rest stay readable; their replies are skipped when their connection is next asked
                    selector.selectedKeys().clear();
                    return true;
                }
            }
            return false;
        }

        /** A command as RESP: an array of bulk strings. */
        static byte[] command(String... words) {
            StringBuilder resp = new StringBuilder("*" + words.length + "\r\n");
            for (String word : words) {
                resp.append('$').append(word.length()).append("\r\n").append(word).append("\r\n");
            }
            return resp.toString().getBytes(StandardCharsets.US_ASCII);
        }
    }

    /**
     * A connection opened at start-up, non-blocking, registered with the verifier's selector; reopened when next asked
     * once lost (as the relay's pool replaces a broken connection).
     */
    static final class Connection {
        /** Replies here are a few hundred bytes at most (ROLE of a master with two replicas). */
        static final int BUFFER_BYTES = 16 * 1024;

        private final String name;
        private final InetSocketAddress address;
        private final Selector selector;
        private final ByteBuffer received = ByteBuffer.allocate(BUFFER_BYTES);
        private SocketChannel channel;
        private SelectionKey key;
        /**
         * Commands sent whose replies were not read yet. Redis answers in order, so a reply answers the last command
         * only when this reaches 0: the sentinels not heard before a majority agreed leave their replies behind.
         */
        private int unanswered;

        Connection(String name, int port, Selector selector) throws IOException {
            this.name = name;
            this.address = new InetSocketAddress(BenchSentinels.HOST, port);
            this.selector = selector;
            open();
        }

        private void open() throws IOException {
            channel = SocketChannel.open(address); // blocking connect: loopback, a fraction of a millisecond
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            key = channel.register(selector, SelectionKey.OP_READ, this);
            received.clear();
            unanswered = 0;
        }

        boolean isLost() {
            return channel == null;
        }

        void reopenIfLost() {
            if (isLost()) {
                try {
                    open();
                } catch (IOException e) {
                    // tried again when next asked (a stopped sentinel refuses every time)
                }
            }
        }

        /** False when the connection is lost and cannot be reopened now (a stopped sentinel). */
        boolean send(byte[] command) {
            ByteBuffer out = ByteBuffer.wrap(command);
            try {
                if (isLost()) {
                    open();
                }
                // tens of bytes into a socket buffer that holds nothing else: written by the first call
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            } catch (IOException e) {
                lost(e.toString());
                return false;
            }
            unanswered++;
            return true;
        }

        /** Reads what arrived; the reply to the last command sent once it is complete, else null. */
        Reply read() throws IOException {
            int n;
            try {
                n = channel.read(received);
            } catch (IOException e) {
                lost(e.toString());
                return null;
            }
            if (n < 0) {
                lost("closed by the server");
                return null;
            }
            Reply last = null;
            while (unanswered > 0) {
                Reply reply = Reply.take(received);
                if (reply == null) {
                    break;
                }
                unanswered--;
                last = reply;
            }
            if (!received.hasRemaining()) {
                lost("a reply longer than " + BUFFER_BYTES + " bytes");
                return null;
            }
            if (unanswered == 0) {
                received.clear(); // bytes no command asked for must not pass for the next command's reply
            }
            return unanswered == 0 ? last : null;
        }

        private void lost(String why) {
            if (isLost()) {
                return; // a reconnect that failed again: said once
            }
            key.cancel();
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
            channel = null;
            System.out.println("updater: " + name + " connection lost (" + why + "); reopened when next asked");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * A RESP2 reply, read only as far as the verifier needs: its type ('*' array, '$' bulk, '+', '-' error, ':') and
     * its texts: an array's elements (null for a nested array or a nil), or the one value of anything else.
     */
    record Reply(char type, List<String> texts) {

        /** The first element of an array reply (ROLE: "master" or "slave"), else null. */
        String first() {
            return type == '*' && !texts.isEmpty() ? texts.get(0) : null;
        }

        /** "ip:port" of a two-element array reply (SENTINEL GET-MASTER-ADDR-BY-NAME), else null. */
        String address() {
            return type == '*' && texts.size() == 2 && !texts.contains(null) ? texts.get(0) + ":" + texts.get(1) : null;
        }

        /** Removes the first reply from {@code buffer} (in write mode) once it has all arrived; null until then. */
        static Reply take(ByteBuffer buffer) {
            byte[] bytes = buffer.array();
            int limit = buffer.position();
            int headerEnd = lineEnd(bytes, 0, limit);
            if (headerEnd < 0) {
                return null;
            }
            List<String> texts = new ArrayList<>();
            int end = bytes[0] == '*'
                    ? skipValues(bytes, headerEnd + 2, limit, Integer.parseInt(header(bytes, 0, headerEnd)), texts)
                    : skipValue(bytes, 0, limit, texts);
            if (end < 0) {
                return null;
            }
            Reply reply = new Reply((char) bytes[0], texts);
            buffer.flip().position(end);
            buffer.compact();
            return reply;
        }

        /** Index just past {@code count} values from {@code i}, or -1 if they end beyond limit. */
        private static int skipValues(byte[] bytes, int i, int limit, int count, List<String> texts) {
            for (int n = 0; n < count && i >= 0; n++) {
                i = skipValue(bytes, i, limit, texts);
            }
            return i; // a nil array (count -1) has nothing after its header
        }

        /** Index just past the value at {@code i}, or -1 if it ends beyond limit; adds its text to texts if given. */
        private static int skipValue(byte[] bytes, int i, int limit, List<String> texts) {
            int headerEnd = lineEnd(bytes, i, limit);
            if (headerEnd < 0) {
                return -1;
            }
            String text = header(bytes, i, headerEnd);
            int next = headerEnd + 2;
            if (bytes[i] == '$') {
                int length = Integer.parseInt(text);
                text = null;
                if (length >= 0) {
                    if (next + length + 2 > limit) {
                        return -1;
                    }
                    text = new String(bytes, next, length, StandardCharsets.UTF_8);
                    next += length + 2;
                }
            } else if (bytes[i] == '*') {
                next = skipValues(bytes, next, limit, Integer.parseInt(text), null);
                text = null;
            }
            if (texts != null && next >= 0) {
                texts.add(text);
            }
            return next;
        }

        /** What follows the type byte on the line at {@code i}. */
        private static String header(byte[] bytes, int i, int lineEnd) {
            return new String(bytes, i + 1, lineEnd - i - 1, StandardCharsets.US_ASCII);
        }

        /** Index of the CR of the first CRLF from {@code i}, or -1 if none before limit. */
        private static int lineEnd(byte[] bytes, int i, int limit) {
            for (int j = i; j + 1 < limit; j++) {
                if (bytes[j] == '\r' && bytes[j + 1] == '\n') {
                    return j;
                }
            }
            return -1;
        }
    }
}
