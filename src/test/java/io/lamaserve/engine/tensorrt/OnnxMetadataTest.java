package io.lamaserve.engine.tensorrt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxMetadataTest {

    @TempDir
    Path dir;

    /**
     * Protobuf wire encoding, written out by hand: the test does not trust the reader to produce its own input.
     * The other tests of this package that need a model's metadata build it with this too.
     */
    static final class Wire {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Wire varint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
            return this;
        }

        Wire bytes(int field, byte[] content) {
            varint((long) field << 3 | 2).varint(content.length);
            out.writeBytes(content);
            return this;
        }

        Wire string(int field, String text) {
            return bytes(field, text.getBytes(StandardCharsets.UTF_8));
        }

        Wire number(int field, long value) {
            return varint((long) field << 3).varint(value);
        }

        Wire fixed64(int field, long value) {
            varint((long) field << 3 | 1);
            for (int i = 0; i < 8; i++) {
                out.write((int) (value >>> (8 * i)));
            }
            return this;
        }

        byte[] done() {
            return out.toByteArray();
        }
    }

    static byte[] entry(String key, String value) {
        return new Wire().string(1, key).string(2, value).done();
    }

    @Test
    void readsMetadataAroundOtherFieldsIncludingALargeGraph() throws IOException {
        byte[] graph = new byte[300_000]; // stands in for the graph, which the reader must skip, not parse
        graph[0] = 0x0a;
        byte[] model = new Wire()
                .number(1, 8)                                     // ir_version
                .string(2, "lama-export")                         // producer_name
                .bytes(7, graph)                                  // graph
                .bytes(14, entry("lama-serve.tile", "512"))
                .fixed64(99, 0x1122334455667788L)                 // unknown field of another wire type
                .bytes(14, entry("lama-serve.output-range", "0..255"))
                .bytes(8, new Wire().string(1, "").number(2, 17).done()) // opset_import
                .done();
        Path file = dir.resolve("model.onnx");
        Files.write(file, model);

        Map<String, String> metadata = OnnxMetadata.read(file);

        assertEquals(Map.of("lama-serve.tile", "512", "lama-serve.output-range", "0..255"), metadata);
    }

    @Test
    void modelWithoutMetadataGivesAnEmptyMap() {
        byte[] model = new Wire().number(1, 8).string(2, "x").done();
        assertTrue(OnnxMetadata.read(ByteBuffer.wrap(model)).isEmpty());
    }

    @Test
    void truncatedFileIsReportedAsNotAnOnnxModel() {
        byte[] model = new Wire().bytes(7, new byte[1000]).done();
        byte[] truncated = java.util.Arrays.copyOf(model, 500);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> OnnxMetadata.read(ByteBuffer.wrap(truncated)));
        assertTrue(error.getMessage().startsWith("not an ONNX protobuf"), error.getMessage());
    }
}
