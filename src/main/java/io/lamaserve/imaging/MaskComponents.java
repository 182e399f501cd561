package io.lamaserve.imaging;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Bounding boxes of the 8-connected components of a mask, the boxes IOPaint gets from
 * {@code cv2.findContours(RETR_EXTERNAL)} + {@code boundingRect}. Works on horizontal runs of mask pixels joined with a
 * union-find, so it touches each pixel once and needs memory in proportion to the number of runs, not pixels.
 * A component inside a hole of another is reported too; its box lies inside the outer one's.
 */
final class MaskComponents {

    /** Beyond this many provisional labels the mask is treated as noise and no boxes are returned. */
    static final int LABEL_LIMIT = 1 << 20;

    private int[] parent = new int[64];
    private int[] minX = new int[64];
    private int[] minY = new int[64];
    private int[] maxX = new int[64];
    private int[] maxY = new int[64];
    private int labels;

    private MaskComponents() {
    }

    /** The boxes ordered top to bottom, then left to right; null when the mask has more than {@link #LABEL_LIMIT} pieces. */
    static List<Box> boundingBoxes(BinaryMask mask) {
        return new MaskComponents().scan(mask);
    }

    private List<Box> scan(BinaryMask mask) {
        int w = mask.width();
        int h = mask.height();
        byte[] bits = mask.bits();
        int maxRuns = w / 2 + 1;
        int[] prevStart = new int[maxRuns];
        int[] prevEnd = new int[maxRuns];
        int[] prevLabel = new int[maxRuns];
        int[] curStart = new int[maxRuns];
        int[] curEnd = new int[maxRuns];
        int[] curLabel = new int[maxRuns];
        int prevCount = 0;
        for (int y = 0; y < h; y++) {
            int row = y * w;
            int curCount = 0;
            int j = 0;
            int x = 0;
            while (x < w) {
                while (x < w && bits[row + x] == 0) {
                    x++;
                }
                if (x == w) {
                    break;
                }
                int start = x;
                while (x < w && bits[row + x] != 0) {
                    x++;
                }
                int end = x; // exclusive
                // a run of the row above touches this one (8-connected) if it spans [start - 1, end]
                while (j < prevCount && prevEnd[j] < start) {
                    j++;
                }
                int label = -1;
                for (int k = j; k < prevCount && prevStart[k] <= end; k++) {
                    label = label < 0 ? find(prevLabel[k]) : union(label, prevLabel[k]);
                }
                if (label < 0) {
                    if (labels == LABEL_LIMIT) {
                        return null;
                    }
                    label = newLabel(start, y, end);
                } else {
                    minX[label] = Math.min(minX[label], start);
                    maxX[label] = Math.max(maxX[label], end);
                    maxY[label] = y + 1;
                }
                curStart[curCount] = start;
                curEnd[curCount] = end;
                curLabel[curCount] = label;
                curCount++;
            }
            int[] t = prevStart; prevStart = curStart; curStart = t;
            t = prevEnd; prevEnd = curEnd; curEnd = t;
            t = prevLabel; prevLabel = curLabel; curLabel = t;
            prevCount = curCount;
        }
        List<Box> boxes = new ArrayList<>();
        for (int i = 0; i < labels; i++) {
            if (parent[i] == i) {
                boxes.add(new Box(minX[i], minY[i], maxX[i] - minX[i], maxY[i] - minY[i]));
            }
        }
        boxes.sort(Comparator.comparingInt(Box::y).thenComparingInt(Box::x));
        return boxes;
    }

    private int newLabel(int start, int y, int end) {
        if (labels == parent.length) {
            int n = labels * 2;
            parent = Arrays.copyOf(parent, n);
            minX = Arrays.copyOf(minX, n);
            minY = Arrays.copyOf(minY, n);
            maxX = Arrays.copyOf(maxX, n);
            maxY = Arrays.copyOf(maxY, n);
        }
        int l = labels++;
        parent[l] = l;
        minX[l] = start;
        maxX[l] = end;
        minY[l] = y;
        maxY[l] = y + 1;
        return l;
    }

    private int find(int l) {
        while (parent[l] != l) {
            parent[l] = parent[parent[l]];
            l = parent[l];
        }
        return l;
    }

    /** Joins two labels; the root that survives carries the union of both boxes. */
    private int union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra == rb) {
            return ra;
        }
        int keep = Math.min(ra, rb);
        int drop = Math.max(ra, rb);
        parent[drop] = keep;
        minX[keep] = Math.min(minX[keep], minX[drop]);
        minY[keep] = Math.min(minY[keep], minY[drop]);
        maxX[keep] = Math.max(maxX[keep], maxX[drop]);
        maxY[keep] = Math.max(maxY[keep], maxY[drop]);
        return keep;
    }
}
