package io.lamaserve.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The "parameters" text read as IOPaint's gen-info reads it. */
class GenerationInfoTest {

    @Test
    void promptThenNegativePromptLineThenSettings() {
        assertEquals(new GenerationInfo("a cat on a roof", "dogs, blur"),
                GenerationInfo.fromParameters("a cat on a roof\nNegative prompt: dogs, blur\nSteps: 20, Seed: 1"));
    }

    @Test
    void withoutNegativePromptTheWholeTextIsThePrompt() {
        assertEquals(new GenerationInfo("a cat on a roof\nSteps: 20", ""),
                GenerationInfo.fromParameters("  a cat on a roof\nSteps: 20\n"));
    }

    @Test
    void theNegativePromptEndsAtItsLineOrTheNextMarker() {
        assertEquals(new GenerationInfo("p", "last line"), GenerationInfo.fromParameters("p\nNegative prompt: last line"));
        assertEquals(new GenerationInfo("p", "one"),
                GenerationInfo.fromParameters("p Negative prompt: one Negative prompt: two\nmore"));
    }
}
