"""Qt-free engines: text and image generation on ONNX Runtime. Imported only by the worker and the CLI."""
