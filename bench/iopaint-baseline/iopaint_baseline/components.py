"""Bounding boxes of a binary mask's outer contours, as OpenCV's ``findContours(RETR_EXTERNAL)`` +
``boundingRect`` give them, in numpy (OpenCV is used instead when it is installed).

Outer contours are the 8-connected components of the mask after its holes are filled: a component lying
inside a hole of another one has no outer contour of its own. Components are found on runs of pixels: runs in
adjacent rows that touch are joined, then labels are merged to a fixed point, all in vectorised numpy.
"""

from typing import List, Tuple

import numpy as np

try:
    import cv2
except ImportError:  # pragma: no cover - depends on the machine
    cv2 = None

Box = Tuple[int, int, int, int]  # left, top, right, bottom (exclusive)


def outer_boxes(mask: np.ndarray, use_opencv: bool = True) -> List[Box]:
    """Boxes of the outer contours of ``mask > 0`` (a 2-D array)."""
    binary = (mask > 0).astype(np.uint8)
    if cv2 is not None and use_opencv:
        # OpenCV 3 returns (image, contours, hierarchy), OpenCV 4 (contours, hierarchy).
        contours = cv2.findContours(binary * 255, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[-2]
        boxes = []
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            boxes.append((x, y, x + w, y + h))
        return boxes
    filled = binary.astype(bool) | _holes(binary.astype(bool))
    starts, ends, rows, labels = _label_runs(filled, diagonal=True)
    boxes = []
    for label in np.unique(labels):
        mine = labels == label
        boxes.append((int(starts[mine].min()), int(rows[mine].min()), int(ends[mine].max()), int(rows[mine].max()) + 1))
    return sorted(boxes, key=lambda b: (b[1], b[0]))


def _holes(foreground: np.ndarray) -> np.ndarray:
    """Background pixels not 4-connected to the image border (the dual of 8-connected foreground)."""
    background = ~foreground
    starts, ends, rows, labels = _label_runs(background, diagonal=False)
    height, width = foreground.shape
    on_border = (rows == 0) | (rows == height - 1) | (starts == 0) | (ends == width)
    outside = np.isin(labels, np.unique(labels[on_border]))
    holes = np.zeros_like(foreground)
    for start, end, row in zip(starts[~outside], ends[~outside], rows[~outside]):
        holes[row, start:end] = True
    return holes


def _label_runs(binary: np.ndarray, diagonal: bool):
    """Runs of True pixels (start, end exclusive, row) and a component label per run."""
    height, width = binary.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = binary
    change = np.diff(padded, axis=1)
    start_rows, starts = np.nonzero(change == 1)
    end_rows, ends = np.nonzero(change == -1)  # both come out in row-major order, paired one to one
    rows = start_rows
    count = len(starts)
    labels = np.arange(count)
    if count == 0:
        return starts, ends, rows, labels
    # Runs a (row r) and b (row r+1) touch when their column ranges overlap, widened by one for 8-connectivity.
    reach = 1 if diagonal else 0
    stride = width + 2
    start_keys = rows * stride + starts
    end_keys = rows * stride + ends
    lower = np.searchsorted(end_keys, (rows - 1) * stride + starts - reach, side="right")
    upper = np.searchsorted(start_keys, (rows - 1) * stride + ends + reach, side="left")
    # Only runs of the previous row qualify: clamp the candidate range to it.
    row_first = np.searchsorted(rows, rows - 1, side="left")
    row_last = np.searchsorted(rows, rows - 1, side="right")
    lower, upper = np.maximum(lower, row_first), np.minimum(upper, row_last)
    spans = np.maximum(upper - lower, 0)
    b = np.repeat(np.arange(count), spans)
    a = np.repeat(lower, spans) + (np.arange(spans.sum()) - np.repeat(np.cumsum(spans) - spans, spans))
    while True:
        previous = labels.copy()
        low = np.minimum(labels[a], labels[b])
        np.minimum.at(labels, a, low)
        np.minimum.at(labels, b, low)
        labels = labels[labels]  # pointer jumping
        if np.array_equal(labels, previous):
            return starts, ends, rows, labels
