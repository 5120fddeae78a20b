package dev.sentinelrelay.configuration;

/** An invalid or missing configuration value; the message names the key and the problem on one line. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String key, String problem) {
        // a value quoted in the problem may hold a newline or other control characters: keep it one line
        super(key + ": " + problem.replaceAll("\\p{Cntrl}", "?"));
    }
}
