package dev.sentinelrelay.configuration;

/** An invalid or missing configuration value; the message names the key and the problem on one line. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
    }
}
