package dev.sentinelrelay.ops;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiAuthTest {

    @Test
    void withoutATokenEveryRequestIsAllowed() {
        assertFalse(new ApiAuth(null).refuses(null));
        assertFalse(new ApiAuth(null).refuses("Bearer anything"));
    }

    @Test
    void withATokenOnlyTheExactBearerHeaderIsAllowed() {
        ApiAuth auth = new ApiAuth("0123456789abcdef");
        assertFalse(auth.refuses("Bearer 0123456789abcdef"));
        assertTrue(auth.refuses(null));
        assertTrue(auth.refuses(""));
        assertTrue(auth.refuses("0123456789abcdef"));
        assertTrue(auth.refuses("Bearer 0123456789abcde"));
        assertTrue(auth.refuses("Bearer 0123456789abcdefg"));
        assertTrue(auth.refuses("Basic 0123456789abcdef"));
    }
}
