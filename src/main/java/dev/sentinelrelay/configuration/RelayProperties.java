package dev.sentinelrelay.configuration;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * Looks up a key the way Camel's property placeholders do: a {@code -D} system property wins, then an
 * environment variable ({@code relay.api.port} is {@code RELAY_API_PORT}), then the properties file.
 * Validation and the routes therefore see the same value.
 */
public final class RelayProperties implements Function<String, String> {

    private final Properties file;
    private final Map<String, String> env;
    private final Properties system;

    public RelayProperties(Properties file, Map<String, String> env, Properties system) {
        this.file = file;
        this.env = env;
        this.system = system;
    }

    /** Loads the file; a missing or unreadable file is a configuration error naming the path. */
    public static RelayProperties load(Path path) {
        Properties file = new Properties();
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            file.load(in);
        } catch (IOException e) {
            throw new ConfigException(path.toString(), "cannot read the configuration file (" + e.getClass().getSimpleName() + ")");
        }
        return new RelayProperties(file, System.getenv(), System.getProperties());
    }

    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    @Override
    public String apply(String key) {
        String value = system.getProperty(key);
        if (value == null) {
            value = env.get(envName(key));
        }
        return value != null ? value : file.getProperty(key);
    }
}
