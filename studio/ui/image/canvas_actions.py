"""File, clipboard and canvas-menu actions of the Image workspace (a mixin of ImageWorkspace).

Main thread only. Uses the workspace's ``model``, ``view``, ``prompt_panel``, ``message_bar``
and ``status_message``.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QColorDialog, QFileDialog, QInputDialog

from studio.canvas import Document
from studio.canvas import files as docfiles
from studio.canvas.ops import Crop, ResizeCanvas, Select, SetMask, Transform
from studio.jobs import UserError
from studio.ui.image.canvas_view import qimage_to_rgba, rgba_to_qimage
from studio.ui.image.size_dialog import CanvasSizeDialog


class CanvasActions:
    # ── files ──
    def open_files(self, files: list[str]) -> None:
        """Dropped or opened files: an .ora replaces the document; images become layers."""
        for f in files:
            try:
                if f.lower().endswith(".ora"):
                    self.open_document(f)
                    continue
                self.add_image_layer(f, Path(f).stem)
                params = self._read_params(f)
                if params:
                    self.import_parameters(params)
                    self.status_message.emit(self.tr("Generation parameters loaded from {0}").format(Path(f).name))
            except UserError as exc:
                self.message_bar.show_message(str(exc))

    @staticmethod
    def _read_params(path: str) -> dict:
        try:
            from exporters.read import read_parameters

            return read_parameters(path)
        except (ImportError, UserError):
            return {}

    def open_document(self, path: str) -> None:
        doc = docfiles.open_ora(path)
        self.model.replace(doc, path)
        self._update_title()

    def save_document(self, path: str, wait: bool = False) -> None:
        """Save as .ora. The pixels are snapshotted here and compressed on a background thread,
        so a big document never freezes the window; `wait=True` saves before returning."""
        self.wait_save()
        snapshot, index = self.model.doc.copy(), self.model.undo_stack.index()

        def work() -> None:  # save thread (or the caller's, with wait): no Qt objects touched
            try:
                docfiles.save_ora(snapshot, path)
                self._saved.emit(path, "", index)
            except Exception as exc:  # noqa: BLE001 - shown to the user, the document is intact
                self._saved.emit(path, str(exc), index)

        if wait:
            work()
            return
        self._save_thread = threading.Thread(target=work, name="image-save", daemon=True)
        self._save_thread.start()
        self.status_message.emit(self.tr("Saving {0}…").format(Path(path).name))

    def wait_save(self) -> None:
        thread = getattr(self, "_save_thread", None)
        if thread is not None:
            thread.join()
            self._save_thread = None

    def _on_saved(self, path: str, error: str, index: int) -> None:
        """Main thread: the save thread finished."""
        if error:
            self.message_bar.show_message(self.tr("{0} was not saved: {1}").format(Path(path).name, error))
            return
        self.model.path = path
        if self.model.undo_stack.index() == index:  # nothing changed while it was being written
            self.model.undo_stack.setClean()
        docfiles.clear_autosave()
        self.status_message.emit(self.tr("Saved {0}").format(Path(path).name))

    def save(self) -> None:
        if self.model.path:
            self.save_document(self.model.path)
        else:
            self.save_as()

    def save_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save canvas"), self.model.path or "canvas.ora",
                                              self.tr("OpenRaster (*.ora)"))
        if path:
            if not path.lower().endswith(".ora"):
                path += ".ora"
            self.save_document(path)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open"), "", self.tr(
            "Images (*.ora *.png *.jpg *.jpeg *.webp *.bmp)"))
        if path:
            self.open_files([path])

    def export_flattened(self, path: str) -> None:
        """The flattened picture through the exporters (PNG/JPEG/WebP by suffix, with parameters)."""
        rgba = self.model.doc.flatten_rgba()
        params = self._last_params()
        suffix = Path(path).suffix.lower()
        from exporters import write_atomic

        if suffix in (".jpg", ".jpeg"):
            from exporters.jpeg import encode_jpeg

            data = encode_jpeg(self.model.doc.flatten(), params)
        elif suffix == ".webp":
            from exporters.jpeg import encode_webp

            data = encode_webp(rgba, params)
        else:
            from exporters.png import encode_png

            data = encode_png(rgba, params)
        write_atomic(path, data)
        self.status_message.emit(self.tr("Exported {0}").format(Path(path).name))

    def _last_params(self) -> dict:
        r = self.prompt_panel.build_request()
        return {"prompt": r.prompt, "negative_prompt": r.negative_prompt, "model_id": r.model_id,
                "steps": r.steps, "guidance": r.guidance, "scheduler": r.scheduler,
                "seed": self.prompt_panel.last_seed, "width": self.model.doc.width,
                "height": self.model.doc.height}

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export flattened image"), "image.png",
                                              self.tr("PNG (*.png);;JPEG (*.jpg);;WebP (*.webp)"))
        if path:
            self.export_flattened(path)

    def new_canvas(self, width: int, height: int) -> None:
        self.model.replace(Document(width, height))

    def new_canvas_dialog(self) -> None:
        dlg = CanvasSizeDialog(self.tr("New canvas"), 512, 512, False, self)
        if dlg.exec():
            w, h, _ = dlg.values()
            self.new_canvas(w, h)

    # ── clipboard ──
    def copy_image(self) -> None:
        doc = self.model.doc
        rgba = doc.flatten_rgba()
        box = doc.selection_bounds()
        if box is not None:
            rgba = rgba[box.slices()].copy()
            rgba[..., 3] = np.where(doc.selection[box.slices()], rgba[..., 3], 0)
        QGuiApplication.clipboard().setImage(rgba_to_qimage(rgba))
        self.status_message.emit(self.tr("Copied {0} × {1} px").format(rgba.shape[1], rgba.shape[0]))

    def paste_image(self) -> None:
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            raise UserError(self.tr("The clipboard holds no image."))
        self.add_image_layer(qimage_to_rgba(image), self.tr("Pasted"))

    # ── canvas menu actions ──
    def select_all(self) -> None:
        doc = self.model.doc
        self.model.apply(Select(np.ones((doc.height, doc.width), bool)))

    def mask_from_selection(self) -> None:
        sel = self.model.doc.selection
        if sel is None:
            raise UserError(self.tr("Select an area first."))
        self.model.apply(SetMask(sel, "Mask from selection"))

    def crop_to_selection(self) -> None:
        box = self.model.doc.selection_bounds()
        if box is None:
            raise UserError(self.tr("Select the area to crop to first."))
        self.model.apply(Crop(box))

    def resize_canvas_dialog(self) -> None:
        doc = self.model.doc
        dlg = CanvasSizeDialog(self.tr("Canvas size"), doc.width, doc.height, True, self)
        if dlg.exec():
            self.model.apply(ResizeCanvas(*dlg.values()))

    def scale_dialog(self) -> None:
        layer = self.model.doc.active
        if layer is None:
            return
        pct, ok = QInputDialog.getDouble(self, self.tr("Scale"), self.tr("Scale (%)"), 100, 1, 1000, 1)
        if ok:
            self.model.apply(Transform(layer.id, scale=pct / 100,
                                       selection_only=self.model.doc.selection is not None))

    def choose_color(self) -> None:
        c = QColorDialog.getColor(QColor(*self.view.color), self, self.tr("Brush colour"))
        if c.isValid():
            self.set_color((c.red(), c.green(), c.blue()))

    def set_color(self, rgb: tuple[int, int, int]) -> None:
        self.view.color = rgb
        self._show_color()

    def _show_color(self) -> None:
        r, g, b = self.view.color
        self.color_btn.setStyleSheet(f"QToolButton {{ background: rgb({r},{g},{b}); min-width: 22px; }}")

    def _show_cursor(self, x: int, y: int) -> None:
        doc = self.model.doc
        self.info.setText(self.tr("{0} × {1} px   zoom {2:.0f} %   ({3}, {4})").format(
            doc.width, doc.height, self.view.zoom * 100, x, y))

    def _update_title(self, *_args) -> None:
        try:
            name = Path(self.model.path).name if self.model.path else self.tr("Untitled")
            self.setWindowTitle(name + (" *" if self.has_unsaved() else ""))
        except RuntimeError:  # the undo stack emits cleanChanged while being destroyed
            pass
