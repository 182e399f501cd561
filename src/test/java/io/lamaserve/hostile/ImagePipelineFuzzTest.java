package io.lamaserve.hostile;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.lamaserve.imaging.EncodedImage;
import io.lamaserve.imaging.HdStrategy;
import io.lamaserve.imaging.ImageInputException;
import io.lamaserve.imaging.ImageLimits;
import io.lamaserve.imaging.ImagePipeline;
import io.lamaserve.imaging.PreparedRequest;
import io.lamaserve.imaging.RegionOptions;
import io.lamaserve.tile.Tile;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of decode → mask → region planning → tile filling → compositing → encoding, with a small
 * fake tile size so that planning has work to do on small inputs. The only acceptable failure is an
 * {@link ImageInputException} (the service's 4xx); any other exception, an error or a hang is a finding.
 *
 * <p>Without {@code JAZZER_FUZZ} set (every {@code mvn test}) it replays the seed corpus and every earlier finding
 * under {@code src/test/resources/io/lamaserve/hostile/ImagePipelineFuzzTestInputs/}; {@code bin/fuzz} fuzzes it
 * for a bounded time.
 */
class ImagePipelineFuzzTest {

    /** Small enough that decoding a maximal input stays fast; larger images are refused from their header. */
    static final ImageLimits LIMITS = new ImageLimits(1_000_000);

    private final ImagePipeline pipeline = new ImagePipeline();

    @FuzzTest(maxDuration = "60s")
    void decodeAndPlanFailOnlyWithInputErrors(FuzzedDataProvider data) {
        int tileSize = data.consumeInt(8, 96);
        RegionOptions options = new RegionOptions(data.pickValue(HdStrategy.values()), data.consumeInt(0, 2000),
                data.consumeInt(0, 300), data.consumeInt(1, 2000), data.consumeBoolean());
        // the mask is either the image file itself (sizes match, so planning runs) or a separate file
        boolean maskIsImage = data.consumeBoolean();
        byte[] mask = maskIsImage ? null : data.consumeBytes(data.consumeInt(0, 4096));
        byte[] image = data.consumeRemainingAsBytes();
        try {
            PreparedRequest prepared = pipeline.prepare(image, maskIsImage ? image : mask, options, tileSize, LIMITS);
            for (Tile tile : prepared.tiles()) {
                assertEquals(tileSize, tile.side());
                Arrays.fill(tile.output(), 200f);
            }
            EncodedImage result = pipeline.complete(prepared, null, 90);
            assertTrue(result.bytes().length > 0, "an empty answer");
        } catch (ImageInputException expected) {
            // a 4xx with a message: the designed outcome for bad input
        }
    }
}
