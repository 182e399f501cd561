package io.lamaserve.imaging;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Decodes an uploaded file into an upright {@link DecodedImage}. The pixel limit is checked on the dimensions the
 * reader takes from the header, before any pixel data is decoded, so an oversized or "decompression bomb" file is
 * rejected for the cost of reading a few bytes; JPEGs with an absurd number of scans are refused the same way
 * ({@link JpegScans}). GIF and TIFF inputs give their first frame. Common PNGs are decoded by {@link PngReader},
 * everything else by ImageIO.
 */
final class ImageDecoder {

    /**
     * TwelveMonkeys' reader handles CMYK and YCCK JPEGs, which the JDK's rejects. It is registered explicitly (it
     * finds the JDK reader it builds on when registered) and used by class, so the choice does not depend on which
     * class loader ImageIO scanned for plugins.
     */
    private static final JPEGImageReaderSpi JPEG_READERS = registeredJpegReaders();

    private static final int MAX_BITS_PER_SAMPLE = 16;

    private ImageDecoder() {
    }

    /**
     * An uploaded file whose header has been read and checked, its reader positioned to decode it. Owns the reader
     * and its stream until closed.
     */
    static final class CheckedFile implements AutoCloseable {
        private final String role;
        private final byte[] bytes;
        private final ImageFormat format;
        private final ImageReader reader;
        private final ImageInputStream input;

        private CheckedFile(String role, byte[] bytes, ImageFormat format, ImageReader reader, ImageInputStream input) {
            this.role = role;
            this.bytes = bytes;
            this.format = format;
            this.reader = reader;
            this.input = input;
        }

        /**
         * Decodes the pixels and turns the image upright.
         *
         * @throws BadImageException when the pixel data is broken or truncated
         */
        DecodedImage decode() {
            try {
                PixelRaster raster = format == ImageFormat.PNG ? PngReader.read(bytes) : null;
                if (raster == null) {
                    ImageReadParam param = reader.getDefaultReadParam();
                    TruncationWarnings truncation = new TruncationWarnings();
                    reader.addIIOReadWarningListener(truncation);
                    BufferedImage image = reader.read(0, param);
                    truncation.check(role, format);
                    raster = RasterExtractor.extract(image);
                }
                int orientation = ExifOrientation.read(format, bytes);
                return new DecodedImage(ExifOrientation.apply(raster, orientation), format, orientation);
            } catch (IOException | RuntimeException e) {
                throw asInputProblem(role, format, e);
            }
        }

        /** Width × height as the header declares them. */
        long pixels() {
            try {
                return (long) reader.getWidth(0) * reader.getHeight(0);
            } catch (IOException e) {
                throw asInputProblem(role, format, e);
            }
        }

        @Override
        public void close() {
            reader.dispose();
            try {
                input.close();
            } catch (IOException ignored) {
                // an in-memory stream: nothing to release
            }
        }
    }

    /**
     * Reads only the header and checks it: dimensions against the pixel limit, JPEG scan count, sample widths and
     * tile sizes. No pixel is decoded yet.
     *
     * @param role   "image" or "mask", used in error messages
     * @param bytes  the file
     * @param limits the pixel limit
     * @throws BadImageException      when the file is not a readable image or would cost too much to decode
     * @throws ImageTooLargeException when its header declares more pixels than the limit
     */
    static CheckedFile open(String role, byte[] bytes, ImageLimits limits) {
        ImageFormat format = sniff(role, bytes);
        ImageReader reader = readerFor(format, role);
        ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
        CheckedFile file = new CheckedFile(role, bytes, format, reader, input);
        try {
            reader.setInput(input, true, true);
            checkSize(role, reader.getWidth(0), reader.getHeight(0), limits);
            if (format == ImageFormat.JPEG) {
                JpegScans.check(role, bytes);
            }
            checkDecodingCost(role, reader, limits);
            return file;
        } catch (IOException | RuntimeException e) {
            file.close();
            throw asInputProblem(role, format, e);
        }
    }

    /** {@link #open} and {@link CheckedFile#decode()} in one step, for a single file. */
    static DecodedImage decode(String role, byte[] bytes, ImageLimits limits) {
        try (CheckedFile file = open(role, bytes, limits)) {
            return file.decode();
        }
    }

    /**
     * Refuses, before decoding, what would make a reader allocate far more than the image's pixels: samples wider
     * than 16 bits (for odd widths such as 30 bits the JDK's TIFF reader builds lookup tables of 2^bits entries, so a
     * few hundred bytes of file could exhaust the heap) and tiles larger than the pixel limit (a reader allocates a
     * whole tile at a time). No camera or editor writes such images for inpainting.
     */
    private static void checkDecodingCost(String role, ImageReader reader, ImageLimits limits) throws IOException {
        if (reader.isImageTiled(0)
                && (long) reader.getTileWidth(0) * reader.getTileHeight(0) > limits.maxPixels()) {
            throw new BadImageException(role + ": tiles of " + reader.getTileWidth(0) + "×" + reader.getTileHeight(0)
                    + " pixels exceed the pixel limit " + limits.maxPixels());
        }
        var type = reader.getRawImageType(0);
        if (type == null) {
            return;
        }
        for (int bits : type.getSampleModel().getSampleSize()) {
            if (bits > MAX_BITS_PER_SAMPLE) {
                throw new BadImageException(role + ": " + bits + "-bit samples are not supported (at most "
                        + MAX_BITS_PER_SAMPLE + " bits per sample)");
            }
        }
    }

    /**
     * JPEG readers only warn when the data ends before the last scan ("Corrupt JPEG data: premature end of data
     * segment", "Premature end of JPEG file") and fill the rest with grey; PIL refuses such
     * a file ("image file is truncated"), and so does this service rather than inpaint a half-grey picture.
     */
    private static final class TruncationWarnings implements IIOReadWarningListener {
        private String warning;

        @Override
        public void warningOccurred(ImageReader source, String message) {
            if (warning == null && message != null
                    && message.toLowerCase(java.util.Locale.ROOT).contains("premature end")) {
                warning = message;
            }
        }

        void check(String role, ImageFormat format) {
            if (warning != null) {
                throw new BadImageException(role + ": cannot decode " + format + " (the file is truncated: " + warning + ")");
            }
        }
    }

    private static ImageFormat sniff(String role, byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new BadImageException(role + ": missing or empty");
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format == null) {
            throw new BadImageException(role + ": not a " + ImageFormat.ACCEPTED + " file");
        }
        return format;
    }

    private static ImageInputException asInputProblem(String role, ImageFormat format, Exception e) {
        if (e instanceof ImageInputException known) {
            return known;
        }
        String detail = e instanceof IIOException ? e.getMessage() : e.toString();
        return new BadImageException(role + ": cannot decode " + format + " (" + detail + ")", e);
    }

    static void checkSize(String role, int width, int height, ImageLimits limits) {
        if (width <= 0 || height <= 0) {
            throw new BadImageException(role + ": empty image (" + width + "×" + height + ")");
        }
        long pixels = (long) width * height;
        if (pixels > limits.maxPixels()) {
            throw new ImageTooLargeException(role + " is " + width + "×" + height + " = " + pixels
                    + " pixels, the limit is " + limits.maxPixels() + " (lama.limits.max-pixels)");
        }
    }

    private static JPEGImageReaderSpi registeredJpegReaders() {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        JPEGImageReaderSpi spi = registry.getServiceProviderByClass(JPEGImageReaderSpi.class);
        if (spi == null) {
            spi = new JPEGImageReaderSpi();
            registry.registerServiceProvider(spi, ImageReaderSpi.class);
        }
        return spi;
    }

    private static ImageReader readerFor(ImageFormat format, String role) {
        if (format == ImageFormat.JPEG) {
            try {
                return JPEG_READERS.createReaderInstance();
            } catch (IOException e) {
                throw new IllegalStateException("JPEG reader unavailable", e);
            }
        }
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
        if (!readers.hasNext()) {
            throw new BadImageException(role + ": no decoder for " + format + " in this runtime");
        }
        return readers.next();
    }
}
