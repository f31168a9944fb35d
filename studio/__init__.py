"""Studio: a local, private AI creative studio (images and writing, ONNX models, no network)."""

__version__ = "0.1.0"
