"""The image engine: Stable-Diffusion-compatible ONNX pipelines, Qt-free and torch-free.

- ``folder``: the model folder contract (Optimum ONNX SD layout + manifest.json) and its defaults.
- ``tokenizer``: CLIP BPE (vocab.json + merges.txt) or any tokenizer.json, via ``tokenizers``.
- ``schedulers``: Euler, Euler a, DDIM, DPM++ 2M (+ Karras), LCM in numpy (diffusers parity).
- ``pipeline``: txt2img / img2img / inpaint (9-channel UNets, or latent blending) / LCM fast mode.
- ``preview``: the cheap latent → RGB projection for live previews.
- ``outpaint``: outpainting is inpainting on an extended canvas; the UI calls
  ``outpaint_request(image, side, pixels, prompt, ...)`` (or ``extend_canvas``) to build it.
- ``job``: ``run_image_job(ImageRequest, JobContext) -> ImageResult`` for the worker and the CLI.

Exporting diffusers models to this layout lives in ``studio.models.diffusers_export`` (torch,
child process only) and importing in ``studio.models.image_import``.
"""
