#!/usr/bin/env python3
"""Starts the IOPaint-style LaMa baseline server. ``serve.py --help`` lists the options."""

import argparse
import logging
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from iopaint_baseline.codec import Codec  # noqa: E402
from iopaint_baseline.inpaint import LamaInpainting  # noqa: E402
from iopaint_baseline.model import (BIG_LAMA_BLOCKS, BIG_LAMA_WIDTH, ModelSource, build_model,  # noqa: E402
                                    reference_difference, save_weights)
from iopaint_baseline.server import BaselineServer, InpaintService, MemoryRelease, model_info  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="LaMa served the way IOPaint serves it (FP32, batch 1 per request, 40 handler threads, "
                    "no model lock, CUDA cache emptied after every request), on IOPaint's HTTP API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--device", choices=("cuda", "cpu"),
                        default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--checkpoint", metavar="PATH",
                        help="real weights (advimman best.ckpt, IOPaint's big-lama.pt, or a --save-weights file); "
                             "without it, lama-export's seeded random weights")
    parser.add_argument("--seed", type=int, default=0, help="random weights: seed, as lama-export --seed (default 0)")
    parser.add_argument("--width", type=int, default=BIG_LAMA_WIDTH, help="random weights: ngf (default 64)")
    parser.add_argument("--blocks", type=int, default=BIG_LAMA_BLOCKS, help="random weights: FFC blocks (default 18)")
    parser.add_argument("--tile", type=int, default=512,
                        help="random weights: the lama-export --tile the ONNX file was made with; random "
                             "BatchNorm statistics are calibrated at it (default 512)")
    parser.add_argument("--save-weights", metavar="PATH",
                        help="also write the generator's weights (lama-export --checkpoint reads them)")
    parser.add_argument("--check-reference", metavar="FILE.txt",
                        help="refuse to start unless the model reproduces this lama-export --reference file "
                             "(written with the ONNX file lama-serve runs) within 0.05 on the 0..255 scale")
    parser.add_argument("--quality", type=int, default=100, help="JPEG quality of answers (IOPaint default 100)")
    parser.add_argument("--image-backend", choices=Codec.available(),
                        help="image decoding/encoding (default: the first available of pillow, torchvision, numpy)")
    parser.add_argument("--threads", type=int, default=40, help="inpainting handler threads (default 40, as Starlette)")
    parser.add_argument("--no-gc", action="store_true",
                        help="skip torch.cuda.empty_cache()/gc.collect() after each request (for analysis)")
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING"),
                        help="DEBUG adds per-request timings")
    args = parser.parse_args(argv)
    if args.checkpoint and (args.width != BIG_LAMA_WIDTH or args.blocks != BIG_LAMA_BLOCKS):
        parser.error("--width/--blocks apply to random weights only; a checkpoint defines its own size")
    return args


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(message)s")
    log = logging.getLogger("iopaint_baseline")
    device = torch.device(args.device)
    source = ModelSource(args.checkpoint, args.seed, args.width, args.blocks, args.tile)
    started = time.time()
    model = build_model(source, device)
    if args.save_weights:
        save_weights(model, args.save_weights)
        log.info("wrote the generator weights to %s", args.save_weights)
    if args.check_reference:
        difference = reference_difference(model, args.check_reference)
        log.info("max abs difference from %s: %.3g (0..255 scale)", args.check_reference, difference)
        if difference > 0.05:
            log.error("the model does not reproduce %s: not the weights of that ONNX export", args.check_reference)
            return 1
    codec = Codec(args.image_backend)
    log.info("torch %s, device %s%s, model %s: %s parameters, FP32, torch.fft Fourier units (built in %.1f s)",
             torch.__version__, device, f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else "",
             source.describe(), f"{sum(p.numel() for p in model.parameters()):,}", time.time() - started)
    log.info("image back-end %s%s; %d handler threads; memory release after each request %s",
             codec.backend, "" if codec.backend == "pillow" else " (PNG only)", args.threads,
             "off" if args.no_gc else "on")
    service = InpaintService(LamaInpainting(model, device), codec, args.quality, MemoryRelease(not args.no_gc))
    server = BaselineServer((args.host, args.port), service, model_info(), args.threads)
    log.info("listening on http://%s:%d (POST /api/v1/inpaint, GET /health)", args.host, server.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.executor.shutdown(wait=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
