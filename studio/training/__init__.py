"""Recipes that train Studio's own models and export them to ONNX.

Only the ``studio-train`` command and the benchmarks import this package's torch modules;
the running app never does (``sampler.py`` is the one torch-free module here).
"""
