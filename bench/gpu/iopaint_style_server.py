#!/usr/bin/env python3
"""External baseline: LaMa served the way IOPaint serves it, for the same benchmark client.

POST /api/v1/inpaint with IOPaint's JSON body (base64 `image` and `mask`, 255 = fill; other fields ignored
except hd_strategy*), answered with the image bytes in the input's format. Like IOPaint: the model is the
PyTorch module (here the exporter's big-lama with the original torch.fft Fourier units, random weights, FP32),
one image per forward pass, the handler runs synchronously in a thread pool of 40 (Starlette's default for
FastAPI `def` endpoints), the image is padded to a multiple of 8, the "Crop" HD strategy applies above 800 px,
unmasked pixels are blended back, and torch.cuda.empty_cache() runs after every request.

usage: iopaint_style_server.py [--port 8090]
"""
import argparse
import base64
import io
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "lama-export"))
from lama_export.random_init import random_generator  # noqa: E402

MODEL = None
POOL = ThreadPoolExecutor(max_workers=40)


def decode(data_url: str, mode: str):
    payload = data_url.split(",", 1)[1] if data_url.startswith("data:") else data_url
    raw = base64.b64decode(payload)
    image = Image.open(io.BytesIO(raw))
    return image.format or "JPEG", np.asarray(image.convert(mode))


def run_model(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """image HxWx3 uint8, mask HxW uint8 (>0 fill) -> HxWx3 uint8, padded to a multiple of 8 like IOPaint."""
    h, w = mask.shape
    ph, pw = (8 - h % 8) % 8, (8 - w % 8) % 8
    img = np.pad(image, ((0, ph), (0, pw), (0, 0)), mode="symmetric")
    msk = np.pad(mask, ((0, ph), (0, pw)), mode="symmetric")
    with torch.inference_mode():
        x = torch.from_numpy(img).permute(2, 0, 1)[None].float().cuda() / 255.0
        m = (torch.from_numpy(msk)[None, None] > 0).float().cuda()
        out = MODEL(torch.cat([x * (1 - m), m], dim=1))
        out = (out[0].permute(1, 2, 0).clamp(0, 1) * 255).round().byte().cpu().numpy()
    return out[:h, :w]


def inpaint(body: dict):
    fmt, image = decode(body["image"], "RGB")
    _, mask = decode(body["mask"], "L")
    if image.shape[:2] != mask.shape:
        return 400, "text/plain", f"Image size({image.shape[1]},{image.shape[0]}) and mask size({mask.shape[1]},{mask.shape[0]}) not match.".encode()
    mask = np.where(mask > 127, 255, 0).astype(np.uint8)
    h, w = mask.shape
    result = image.copy()
    if body.get("hd_strategy", "Crop") == "Crop" and max(h, w) > body.get("hd_strategy_crop_trigger_size", 800):
        ys, xs = np.nonzero(mask)
        if len(ys):
            margin = body.get("hd_strategy_crop_margin", 128)
            y0, y1 = max(0, ys.min() - margin), min(h, ys.max() + margin + 1)
            x0, x1 = max(0, xs.min() - margin), min(w, xs.max() + margin + 1)
            result[y0:y1, x0:x1] = run_model(image[y0:y1, x0:x1], mask[y0:y1, x0:x1])
    else:
        result = run_model(image, mask)
    keep = (mask == 0)[..., None]
    result = np.where(keep, image, result)  # sd_keep_unmasked_area
    buffer = io.BytesIO()
    Image.fromarray(result).save(buffer, format=fmt, quality=100)
    torch.cuda.empty_cache()
    return 200, f"image/{fmt.lower()}", buffer.getvalue()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802
        if self.path != "/api/v1/inpaint":
            self.send_error(404)
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        status, ctype, payload = POOL.submit(inpaint, body).result()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Seed", "42")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def main():
    global MODEL
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    MODEL = random_generator(0, 64, 18, 512).set_fourier_form("fft").eval().cuda()
    print(f"IOPaint-style LaMa server (torch {torch.__version__}, FP32, batch 1) on :{args.port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
