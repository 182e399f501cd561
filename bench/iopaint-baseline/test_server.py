"""The baseline server end to end over HTTP, with a tiny CPU model started in-process."""

import base64
import gc
import http.client
import json
import threading

import numpy as np
import pytest
import torch

from iopaint_baseline import pngcodec
from iopaint_baseline.codec import Codec
from iopaint_baseline.inpaint import LamaInpainting
from iopaint_baseline.model import ModelSource, build_model
from iopaint_baseline.server import BaselineServer, InpaintService, MemoryRelease, model_info

TINY = ModelSource(seed=3, width=8, blocks=1, tile=64)


@pytest.fixture(scope="module")
def tiny_model():
    return build_model(TINY, torch.device("cpu"))


def _start(model, release=None, threads=40, codec="numpy"):
    service = InpaintService(LamaInpainting(model, torch.device("cpu")), Codec(codec), release=release)
    server = BaselineServer(("127.0.0.1", 0), service, model_info(), threads)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def server(tiny_model):
    server = _start(tiny_model)
    yield server
    server.close()


def _photo(height, width, seed=0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    planes = [(xx * 3) % 256, (yy * 2 + 30) % 256, (xx + yy) % 256]
    return (np.dstack(planes) // 2 + rng.integers(0, 100, (height, width, 3))).astype(np.uint8)


def _data_url(pixels):
    return "data:image/png;base64," + base64.b64encode(pngcodec.encode(pixels)).decode()


def _post(port, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/api/v1/inpaint", json.dumps(body), {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _request(image, mask, **fields):
    body = {"image": _data_url(image), "mask": _data_url(mask), "hd_strategy": "Crop",
            "sd_keep_unmasked_area": True, "prompt": "ignored", "some_future_field": [1, 2]}
    body.update(fields)
    return body


def test_answers_a_png_that_keeps_the_unmasked_pixels_and_fills_the_hole(server, tiny_model):
    image = _photo(64, 64)
    mask = np.zeros((64, 64), np.uint8)
    mask[16:40, 20:52] = 255
    status, headers, body = _post(server.port, _request(image, mask))
    assert status == 200, body
    assert headers["Content-Type"] == "image/png" and headers["X-Seed"] == "42"
    result, _ = pngcodec.decode(body)
    assert result.shape == image.shape
    hole = mask > 0
    assert np.array_equal(result[~hole], image[~hole])
    # Inside the hole: the model's own output for this input, truncated to uint8.
    with torch.no_grad():
        direct = tiny_model(torch.from_numpy(image.transpose(2, 0, 1) / 255.0).float()[None],
                            torch.from_numpy(hole.astype(np.float32))[None, None])
    expected = direct[0].permute(1, 2, 0).numpy().astype(np.uint8)
    assert np.array_equal(result[hole], expected[hole])
    assert not np.array_equal(result[hole], image[hole])


def test_odd_sizes_are_padded_and_cropped_back(server):
    image = _photo(37, 51, seed=1)
    mask = np.zeros((37, 51), np.uint8)
    mask[5:30, 7:20] = 200  # above the 127 threshold: filled
    mask[0:3, 40:51] = 100  # below it: kept
    status, _, body = _post(server.port, _request(image, mask))
    assert status == 200, body
    result, _ = pngcodec.decode(body)
    assert result.shape == image.shape
    keep = mask <= 127
    assert np.array_equal(result[keep], image[keep])


def test_size_mismatch_is_a_400_with_a_message(server):
    status, headers, body = _post(server.port, _request(_photo(32, 48), np.zeros((48, 32), np.uint8)))
    assert status == 400
    assert headers["Content-Type"] == "application/json"
    assert "not match" in json.loads(body)["detail"]


def test_garbage_image_and_bad_json_are_client_errors(server):
    status, _, body = _post(server.port, {"image": "data:image/png;base64,AAAA", "mask": "AAAA"})
    assert status == 400 and "cannot decode" in json.loads(body)["detail"]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/api/v1/inpaint", b"{not json", {"Content-Type": "application/json"})
    assert connection.getresponse().status == 422
    connection.close()


def test_crop_runs_one_forward_per_mask_region_original_and_resize_one_in_all(server):
    image = _photo(120, 900, seed=2)  # longer side 900 > trigger 800
    mask = np.zeros((120, 900), np.uint8)
    mask[40:60, 50:90] = 255
    mask[50:70, 700:760] = 255
    before = len(server.service.inpainting.timeline.spans())
    status, _, body = _post(server.port, _request(image, mask))
    assert status == 200, body
    assert len(server.service.inpainting.timeline.spans()) - before == 2
    result, _ = pngcodec.decode(body)
    assert np.array_equal(result[mask == 0], image[mask == 0])
    status, _, _ = _post(server.port, _request(image, mask, hd_strategy="Original"))
    assert status == 200 and len(server.service.inpainting.timeline.spans()) - before == 3
    status, _, body = _post(server.port, _request(image, mask, hd_strategy="Resize", hd_strategy_resize_limit=300))
    assert status == 200 and len(server.service.inpainting.timeline.spans()) - before == 4
    result, _ = pngcodec.decode(body)
    assert result.shape == image.shape and np.array_equal(result[mask == 0], image[mask == 0])
    status, _, body = _post(server.port, _request(image, mask, hd_strategy="Tiles"))
    assert status == 422 and "hd_strategy" in json.loads(body)["detail"]


class _Rendezvous(torch.nn.Module):
    """Lets a forward pass finish only once ``parties`` passes are inside it at the same time."""

    def __init__(self, inner, parties):
        super().__init__()
        self.inner = inner
        self.barrier = threading.Barrier(parties, timeout=10)

    def forward(self, image, mask):
        self.barrier.wait()  # raises BrokenBarrierError (-> 500) if requests were served one at a time
        return self.inner(image, mask)


def test_requests_run_the_model_concurrently(tiny_model):
    server = _start(_Rendezvous(tiny_model, 2))
    try:
        image, mask = _photo(64, 64, seed=4), np.zeros((64, 64), np.uint8)
        mask[10:30, 10:30] = 255
        statuses = []
        clients = [threading.Thread(target=lambda: statuses.append(_post(server.port, _request(image, mask))[0]))
                   for _ in range(2)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(30)
        assert statuses == [200, 200]
        (start_a, end_a, thread_a), (start_b, end_b, thread_b) = server.service.inpainting.timeline.spans()
        assert thread_a != thread_b
        assert max(start_a, start_b) < min(end_a, end_b)  # the two forward passes overlapped in time
    finally:
        server.close()


def test_every_request_empties_the_cuda_cache_and_collects_garbage(tiny_model, monkeypatch):
    calls = {"empty_cache": 0, "ipc_collect": 0, "gc": 0}
    # On a CPU-only machine, pretend CUDA is there and count what the server calls on it.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: calls.__setitem__("empty_cache", calls["empty_cache"] + 1))
    monkeypatch.setattr(torch.cuda, "ipc_collect", lambda: calls.__setitem__("ipc_collect", calls["ipc_collect"] + 1))

    def on_gc(phase, info):
        if phase == "start" and info["generation"] == 2:
            calls["gc"] += 1

    image, mask = _photo(32, 32), np.full((32, 32), 255, np.uint8)
    for enabled, expected in ((True, 3), (False, 0)):
        for key in calls:
            calls[key] = 0
        server = _start(tiny_model, release=MemoryRelease(enabled))
        gc.callbacks.append(on_gc)
        try:
            for _ in range(3):
                assert _post(server.port, _request(image, mask))[0] == 200
        finally:
            gc.callbacks.remove(on_gc)
            server.close()
        assert calls["empty_cache"] == calls["ipc_collect"] == expected
        assert server.service.release.calls == expected
        if enabled:
            assert calls["gc"] >= 3


def test_with_pillow_jpeg_is_answered_as_jpeg_and_png_as_png(tiny_model):
    image_module = pytest.importorskip("PIL.Image")
    import io

    server = _start(tiny_model, codec="pillow")
    try:
        image, mask = _photo(48, 40, seed=5), np.zeros((48, 40), np.uint8)
        mask[8:24, 8:24] = 255
        jpeg = io.BytesIO()
        image_module.fromarray(image).save(jpeg, format="JPEG", quality=95)
        body = _request(image, mask)
        body["image"] = "data:image/jpeg;base64," + base64.b64encode(jpeg.getvalue()).decode()
        status, headers, answer = _post(server.port, body)
        assert status == 200 and headers["Content-Type"] == "image/jpeg"
        assert image_module.open(io.BytesIO(answer)).size == (40, 48)
        status, headers, answer = _post(server.port, _request(image, mask))
        assert status == 200 and headers["Content-Type"] == "image/png"
        result = np.array(image_module.open(io.BytesIO(answer)))
        assert np.array_equal(result[mask == 0], image[mask == 0])
    finally:
        server.close()


def test_readiness_and_model_endpoints(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    for path in ("/health", "/api/v1/model", "/api/v1/server-config"):
        connection.request("GET", path)  # one keep-alive connection for all three
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read())
    connection.close()
