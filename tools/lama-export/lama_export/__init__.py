"""lama-export: a big-lama generator in PyTorch and its TensorRT-friendly ONNX exporter."""

__version__ = "1.0.0"
