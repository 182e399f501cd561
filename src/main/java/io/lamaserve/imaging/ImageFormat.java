package io.lamaserve.imaging;

/** The container formats the decoder accepts, recognised by their signature bytes. */
enum ImageFormat {
    PNG("png"),
    JPEG("jpeg"),
    GIF("gif"),
    BMP("bmp"),
    TIFF("tiff");

    static final String ACCEPTED = "PNG, JPEG, GIF, BMP or TIFF";

    private final String imageIoName;

    ImageFormat(String imageIoName) {
        this.imageIoName = imageIoName;
    }

    String imageIoName() {
        return imageIoName;
    }

    /** The format a response in "the input's format" gets: PNG and JPEG stay, everything else becomes PNG. */
    OutputFormat sameAsInput() {
        return this == JPEG ? OutputFormat.JPEG : OutputFormat.PNG;
    }

    /** Recognises the format from the first bytes, or returns null. */
    static ImageFormat sniff(byte[] b) {
        if (startsWith(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return PNG;
        }
        if (startsWith(b, 0xFF, 0xD8, 0xFF)) {
            return JPEG;
        }
        if (startsWith(b, 'G', 'I', 'F', '8')) {
            return GIF;
        }
        if (startsWith(b, 'B', 'M')) {
            return BMP;
        }
        if (startsWith(b, 'I', 'I', 42, 0) || startsWith(b, 'M', 'M', 0, 42)) {
            return TIFF;
        }
        return null;
    }

    private static boolean startsWith(byte[] data, int... signature) {
        if (data.length < signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if ((data[i] & 0xFF) != signature[i]) {
                return false;
            }
        }
        return true;
    }
}
