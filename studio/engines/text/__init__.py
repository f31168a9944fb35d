"""Local text engine: tokenizer, ONNX decoder with KV cache, sampler, streaming generation.

Qt-free. ``job.run_text_job`` is the worker's entry point; ``model.TextModel`` is the plain API
(CLI, benchmarks, tests).
"""
