"""Mask boxes: the numpy outer-contour boxes match a plain flood-fill reference."""

from collections import deque

import numpy as np
import pytest

from iopaint_baseline.components import outer_boxes
from iopaint_baseline.inpaint import crop_around


def _flood(grid, start, neighbours, seen):
    queue, cells = deque([start]), []
    seen[start] = True
    while queue:
        y, x = queue.popleft()
        cells.append((y, x))
        for dy, dx in neighbours:
            ny, nx = y + dy, x + dx
            if 0 <= ny < grid.shape[0] and 0 <= nx < grid.shape[1] and grid[ny, nx] and not seen[ny, nx]:
                seen[ny, nx] = True
                queue.append((ny, nx))
    return cells


def _reference_boxes(mask):
    four = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    eight = four + [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    filled = mask.astype(bool).copy()
    background, seen = ~filled, np.zeros(mask.shape, bool)
    for y, x in zip(*np.nonzero(background)):
        if not seen[y, x]:
            cells = _flood(background, (y, x), four, seen)
            if not any(cy in (0, mask.shape[0] - 1) or cx in (0, mask.shape[1] - 1) for cy, cx in cells):
                for cy, cx in cells:
                    filled[cy, cx] = True  # a hole
    boxes, seen = [], np.zeros(mask.shape, bool)
    for y, x in zip(*np.nonzero(filled)):
        if not seen[y, x]:
            cells = np.array(_flood(filled, (y, x), eight, seen))
            boxes.append((cells[:, 1].min(), cells[:, 0].min(), cells[:, 1].max() + 1, cells[:, 0].max() + 1))
    return sorted(boxes)


@pytest.mark.parametrize("seed", range(8))
def test_random_masks_match_flood_fill(seed):
    rng = np.random.default_rng(seed)
    mask = (rng.random((40, 50)) < 0.3 + 0.05 * seed).astype(np.uint8) * 255
    assert sorted(outer_boxes(mask, use_opencv=False)) == _reference_boxes(mask)


def test_diagonal_touch_joins_and_a_blob_inside_a_ring_has_no_box_of_its_own():
    mask = np.zeros((30, 30), np.uint8)
    mask[2, 2] = mask[3, 3] = 255                  # diagonal neighbours: one component
    mask[10:20, 10:20] = 255
    mask[12:18, 12:18] = 0                         # a ring ...
    mask[14:16, 14:16] = 255                       # ... with a blob in its hole
    assert sorted(outer_boxes(mask, use_opencv=False)) == [(2, 2, 4, 4), (10, 10, 20, 20)]
    assert outer_boxes(np.zeros((5, 5), np.uint8), use_opencv=False) == []


def test_crop_grows_away_from_the_image_edge():
    # Box 50x50 at the top-left corner, margin 128: a 306x306 crop wanted, centred at (35, 125); it is cut
    # at x<0 and y<0 and made up on the right and bottom.
    assert crop_around((10, 100, 60, 150), 128, 1000, 800) == (0, 0, 306, 306)
    # In the middle it is just centred: box 100x40 centred at (500, 420) -> 356 x 296.
    assert crop_around((450, 400, 550, 440), 128, 1000, 800) == (322, 272, 678, 568)
    # Larger than the image: clamped to it.
    assert crop_around((0, 0, 1000, 800), 128, 1000, 800) == (0, 0, 1000, 800)
