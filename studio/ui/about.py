"""About box text, with the credits our licences require."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from studio import paths



def about_text(version: str) -> str:
    credits = [
        QCoreApplication.translate("about", "SmolLM2-135M-Instruct © Hugging Face, Apache-2.0."),
        QCoreApplication.translate(
            "about", "Emoji art used to train the built-in image model: Twemoji © Twitter, Inc. and "
                     "other contributors, CC-BY 4.0; Noto Emoji © Google, Apache-2.0."),
        QCoreApplication.translate(
            "about", "Built-in image model text encoder: all-MiniLM-L6-v2 (sentence-transformers), "
                     "Apache-2.0."),
        QCoreApplication.translate("about", "Qt for Python (LGPL-3.0), ONNX Runtime (MIT)."),
    ]
    extra = paths.ASSETS / "licenses"
    more = (QCoreApplication.translate("about", "Full licence texts are in {0}.").format(str(extra))
            if extra.is_dir() else "")
    intro = QCoreApplication.translate(
        "about", "A local, private AI creative studio. Nothing leaves your machine.")
    return "<h3>Studio {0}</h3><p>{1}</p><ul>{2}</ul><p>{3}</p>".format(
        version, intro, "".join(f"<li>{c}</li>" for c in credits), more)
