package dev.sentinelrelay.ops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The API's optional bearer token ({@code relay.api.token}): when set, every request must carry it. */
public final class ApiAuth {

    private final byte[] expected;

    /** @param token null: every request is allowed */
    public ApiAuth(String token) {
        this.expected = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    /** True when the request must be refused (401). Constant-time comparison: the answer time tells nothing. */
    public boolean refuses(String authorization) {
        if (expected == null) {
            return false;
        }
        return authorization == null
                || !MessageDigest.isEqual(expected, authorization.strip().getBytes(StandardCharsets.UTF_8));
    }
}
