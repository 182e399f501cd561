"""Timing shared by the PyTorch baselines: back-to-back runs of one batch, the GPU synchronised after each."""
import time

import torch


def seconds_per_run(model, image, mask, seconds=3.0, warm_up=3):
    """Mean seconds per call of model(image, mask) over at least `seconds` (and at least 3 calls), after warm-ups."""
    with torch.inference_mode():
        for _ in range(warm_up):
            model(image, mask)
        torch.cuda.synchronize()
        runs, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds or runs < 3:
            model(image, mask)
            torch.cuda.synchronize()
            runs += 1
        return (time.perf_counter() - start) / runs
