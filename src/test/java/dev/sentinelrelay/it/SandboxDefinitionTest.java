package dev.sentinelrelay.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sandbox definition (config/sandbox) renders to the same text in the tests and in the shell sandboxes, and every
 * placeholder gets a value. No servers: bash only.
 */
class SandboxDefinitionTest {

    /** Every value any fragment asks for; the & shows that bash does not read it as the matched text. */
    private static final Map<String, String> VALUES = new TreeMap<>(Map.ofEntries(
            Map.entry("PORT", "23456"), Map.entry("DIR", "/tmp/sandbox/redis-1"),
            Map.entry("PIDFILE", "/tmp/sandbox/pids/redis-1.pid"), Map.entry("LOGFILE", "/tmp/sandbox/logs/redis-1.log"),
            Map.entry("TLS_CERT_FILE", "/tls/expired.crt"), Map.entry("TLS_KEY_FILE", "/tls/expired.key"),
            Map.entry("TLS_CLIENT_CERT_FILE", "/tls/server.crt"), Map.entry("TLS_CLIENT_KEY_FILE", "/tls/server.key"),
            Map.entry("TLS_CA_FILE", "/tls/ca.crt"), Map.entry("PASSWORD", "pw&1"),
            Map.entry("MASTER", "mymaster"), Map.entry("MASTER_PORT", "23457")));

    @ParameterizedTest
    @ValueSource(strings = {"listen.conf redis.conf daemon.conf", "listen-tls.conf redis.conf redis-auth.conf",
            "listen.conf sentinel.conf sentinel-master.conf sentinel-auth.conf daemon.conf",
            "listen-tls.conf sentinel.conf sentinel-master.conf"})
    void bashRendersWhatTheTestsRender(String fragments) throws Exception {
        String[] names = fragments.split(" ");
        String java = SandboxDefinition.render(VALUES, names);
        assertEquals(java, bash(VALUES, names).text);
        assertFalse(java.contains("${"), java);
    }

    @Test
    void aRedisServerGetsTheSettingsEverySandboxShares() {
        String conf = SandboxDefinition.render(VALUES, "listen.conf", "redis.conf");
        for (String line : List.of("port 23456", "bind 127.0.0.1", "dir \"/tmp/sandbox/redis-1\"",
                "dbfilename \"dump-23456.rdb\"", "save \"\"", "appendonly no", "repl-diskless-sync-delay 0")) {
            assertTrue(conf.lines().anyMatch(line::equals), line + " missing in:\n" + conf);
        }
    }

    @Test
    void aSentinelMonitorsEachMasterWithTheTestsTimings() {
        String block = SandboxDefinition.render(VALUES, "sentinel-master.conf");
        assertEquals(List.of("sentinel monitor mymaster 127.0.0.1 23457 2", "sentinel down-after-milliseconds mymaster 1000",
                        "sentinel failover-timeout mymaster 10000", "sentinel parallel-syncs mymaster 1"),
                block.lines().filter(l -> !l.startsWith("#")).toList());
    }

    @Test
    void aPlaceholderWithoutAValueIsAnErrorInBoth() throws Exception {
        Map<String, String> noPassword = new TreeMap<>(VALUES);
        noPassword.remove("PASSWORD");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SandboxDefinition.render(noPassword, "redis.conf", "redis-auth.conf"));
        assertTrue(e.getMessage().contains("${PASSWORD}"), e.getMessage());
        Rendered shell = bash(noPassword, "redis.conf", "redis-auth.conf");
        assertEquals(1, shell.exitCode);
        assertTrue(shell.errors.contains("${PASSWORD}"), shell.errors);
    }

    private record Rendered(int exitCode, String text, String errors) {
    }

    /** bin/lib/common.sh's sandbox_render with the same values and fragments. */
    private static Rendered bash(Map<String, String> values, String... fragments)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "source bin/lib/common.sh && sandbox_render \"$@\"", "bash"));
        values.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of(fragments));
        Process p = new ProcessBuilder(cmd).directory(Sandbox.HOME.toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "bash did not finish");
        return new Rendered(p.exitValue(), out, err);
    }
}
