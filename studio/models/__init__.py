"""Model registry, download and conversion (GGUF → ONNX, diffusers → ONNX)."""
