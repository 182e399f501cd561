package io.lamaserve.engine.tensorrt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the {@code metadata_props} of an ONNX model (ModelProto field 14, each a StringStringEntryProto with key 1
 * and value 2) straight from the protobuf wire format. TensorRT's parser does not expose them, and the model
 * contract needs them ({@code lama-serve.output-range}, {@code lama-serve.tile}). The graph, hundreds of MB, is
 * skipped over, not decoded.
 */
final class OnnxMetadata {

    private static final int METADATA_PROPS = 14;

    private OnnxMetadata() {
    }

    static Map<String, String> read(Path onnx) throws IOException {
        try (FileChannel channel = FileChannel.open(onnx, StandardOpenOption.READ)) {
            return read(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
        }
    }

    static Map<String, String> read(ByteBuffer model) {
        Map<String, String> properties = new LinkedHashMap<>();
        ByteBuffer in = model.duplicate();
        while (in.hasRemaining()) {
            long tag = varint(in);
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            if (field == METADATA_PROPS && wireType == 2) {
                ByteBuffer entry = lengthDelimited(in);
                String key = null;
                String value = "";
                while (entry.hasRemaining()) {
                    long entryTag = varint(entry);
                    if ((entryTag & 7) != 2) {
                        skip(entry, (int) (entryTag & 7));
                        continue;
                    }
                    String text = StandardCharsets.UTF_8.decode(lengthDelimited(entry)).toString();
                    if (entryTag >>> 3 == 1) {
                        key = text;
                    } else if (entryTag >>> 3 == 2) {
                        value = text;
                    }
                }
                if (key != null) {
                    properties.put(key, value);
                }
            } else {
                skip(in, wireType);
            }
        }
        return properties;
    }

    private static void skip(ByteBuffer in, int wireType) {
        switch (wireType) {
            case 0 -> varint(in);
            case 1 -> in.position(in.position() + 8);
            case 2 -> lengthDelimited(in);
            case 5 -> in.position(in.position() + 4);
            default -> throw new IllegalArgumentException("not an ONNX protobuf (wire type " + wireType
                    + " at byte " + in.position() + ")");
        }
    }

    private static ByteBuffer lengthDelimited(ByteBuffer in) {
        long length = varint(in);
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("not an ONNX protobuf (field of " + length + " bytes at byte "
                    + in.position() + ", " + in.remaining() + " left)");
        }
        ByteBuffer field = in.slice(in.position(), (int) length);
        in.position(in.position() + (int) length);
        return field;
    }

    private static long varint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("not an ONNX protobuf (varint runs past the end)");
            }
            byte b = in.get();
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("not an ONNX protobuf (varint longer than 10 bytes)");
    }
}
