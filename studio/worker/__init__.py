"""The one background thread that owns every ONNX Runtime session and runs jobs in order."""
