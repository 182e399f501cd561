package io.lamaserve.hostile;

import io.lamaserve.api.auth.ApiKeys;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeysTest {

    private final ApiKeys keys = new ApiKeys(List.of("alpha-key", " beta-key ", ""));

    @Test
    void acceptsExactlyTheConfiguredKeys() {
        assertTrue(keys.accepts("alpha-key"));
        assertTrue(keys.accepts("beta-key"), "configured keys are trimmed");
        assertFalse(keys.accepts("alpha-ke"));
        assertFalse(keys.accepts("alpha-keyy"));
        assertFalse(keys.accepts("ALPHA-KEY"));
        assertFalse(keys.accepts(""));
        assertFalse(keys.accepts(null));
        assertEquals(2, keys.size(), "blank entries are dropped");
    }

    @Test
    void refusesAnEmptyKeyList() {
        assertThrows(IllegalArgumentException.class, () -> new ApiKeys(Arrays.asList("", " ", null)));
    }
}
