"""The canvas widget: shows the document, zoom/pan, and the painting and selection tools.

Main thread only. The composite is kept in a canvas-sized BGRA premultiplied buffer that a
QImage wraps without copying (Qt's native ARGB32_Premultiplied, so painting never converts);
a brush dab re-composites only its own rectangle, which keeps strokes smooth on 4096² canvases.

What the widget shows of the canvas (checkerboard, composite, mask and selection tints, scaled
to the zoom) is kept in a second, widget-sized image that is redrawn only where the canvas
changed or when the zoom, the pan or the size change; a paint event copies it unscaled. Qt 6
splits smooth scaling and large fills across its GUI thread pool and waits for it, which on a
busy machine stalls the UI thread, so a preview or an unrelated repaint must not scale the
whole canvas again.
"""

from __future__ import annotations

import enum
import math
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap, QPolygonF, QRegion
from PySide6.QtWidgets import QWidget

from studio.canvas import Rect
from studio.canvas.brush import Brush
from studio.canvas.edits import MASK
from studio.canvas.ops import Fill, Select, Stroke, Transform
from studio.canvas.regions import lasso_region, rect_region
from studio.ui.image.document_model import DocumentModel

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".ora"}


class Tool(enum.Enum):
    BRUSH = "brush"
    ERASER = "eraser"
    MASK = "mask"
    MASK_ERASER = "mask_eraser"
    FILL = "fill"
    RECT_SELECT = "rect_select"
    LASSO = "lasso"
    MOVE = "move"
    PAN = "pan"


BACKGROUND = QColor(64, 64, 68)  # around the canvas
MASK_TILE = 64  # the view knows which tiles of this size have something masked

# mask value → overlay pixel as a little-endian uint32 (bytes B, G, R, A = 0, 0, m', m')
MASK_LUT = (np.arange(256, dtype=np.uint32) * 115 // 255) * np.uint32(0x01010000)


def rgba_to_bgra_inplace(pixels: np.ndarray) -> None:
    """Swap R and B of an H×W×4 uint8 array in place (measured faster than a uint32 shuffle)."""
    pixels[..., [0, 2]] = pixels[..., [2, 0]]


def qimage_view(array: np.ndarray) -> QImage:
    """A QImage over an H×W×4 uint8 BGRA-premultiplied array, without copying (keep `array` alive)."""
    h, w = array.shape[:2]
    return QImage(array.data, w, h, w * 4, QImage.Format.Format_ARGB32_Premultiplied)


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """A QImage copy of an H×W×3 uint8 RGB array."""
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, w * 3, QImage.Format.Format_RGB888).copy()


class CanvasView(QWidget):
    """Signals:
        files_dropped(list[str]): local image/.ora files dropped on the canvas.
        image_dropped(object): an RGBA array dropped as raw image data.
        zoom_changed(float)
        cursor_moved(int, int): canvas pixel under the mouse.
        color_picked(tuple): (r, g, b) picked with Alt+click.
    """

    files_dropped = Signal(list)
    image_dropped = Signal(object)
    zoom_changed = Signal(float)
    cursor_moved = Signal(int, int)
    color_picked = Signal(tuple)

    def __init__(self, model: DocumentModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.tool = Tool.BRUSH
        self.brush_size = 24.0
        self.brush_hardness = 0.8
        self.brush_opacity = 1.0
        self.color = (20, 20, 20)
        self.fill_tolerance = 32
        self.zoom = 1.0
        self.offset = QPointF(0, 0)
        self.setMouseTracking(True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(200, 200)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

        self._stroke: Stroke | None = None
        self._ghost: tuple[QImage, Rect] | None = None
        self._drag_start: QPointF | None = None  # canvas coords
        self._drag_now: QPointF | None = None
        self._lasso: list[tuple[float, float]] = []
        self._pan_from: QPointF | None = None
        self._space = False
        self._mouse: QPointF | None = None
        self._preview: QImage | None = None
        self._preview_rect = Rect(0, 0, 0, 0)
        self._checker = self._checker_brush()
        self._mask_any = False  # anything masked at all (an empty mask is not drawn)
        # the view of the canvas, drawn ahead (see the module docstring)
        self._cache: QImage | None = None
        self._cache_key: tuple = ()
        self._cache_rect = QRect()  # the widget pixels it covers (all of them)
        self._cache_dirty = QRegion()  # widget pixels to redraw before it is shown
        self.auto_fit = True  # keep fitting to the window until the user zooms or pans

        model.changed.connect(self._on_changed)
        self._rebuild()

    # ── public ──
    def set_tool(self, tool: Tool) -> None:
        self._finish_stroke()
        self.tool = tool
        self.update()

    def brush(self, erase: bool = False) -> Brush:
        return Brush(size=self.brush_size, hardness=self.brush_hardness, color=self.color,
                     opacity=self.brush_opacity, erase=erase)

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        self.auto_fit = False
        zoom = min(64.0, max(1 / 64, zoom))
        anchor = anchor if anchor is not None else QPointF(self.width() / 2, self.height() / 2)
        canvas_pt = self.to_canvas(anchor)
        self.zoom = zoom
        self.offset = anchor - canvas_pt * zoom
        self.zoom_changed.emit(zoom)
        self.update()

    def fit(self) -> None:
        self.auto_fit = True
        doc = self.model.doc
        if self.width() < 10 or self.height() < 10:
            return
        self.zoom = min(self.width() / doc.width, self.height() / doc.height) * 0.95
        self._center()

    def actual_size(self) -> None:
        self.auto_fit = False
        self.zoom = 1.0
        self._center()

    def show_preview(self, rgb: np.ndarray | None, rect: Rect | None = None) -> None:
        """Show a generation preview over `rect` of the canvas (None = clear it)."""
        if rgb is None and self._preview is None:
            return
        old = self.view_rect(self._preview_rect) if self._preview is not None else QRect()
        self._preview = rgb_to_qimage(rgb) if rgb is not None else None
        self._preview_rect = rect or self.model.doc.bounds
        new = self.view_rect(self._preview_rect) if self._preview is not None else QRect()
        self.update(old.united(new))  # only where the old and the new preview are

    def to_canvas(self, p: QPointF) -> QPointF:
        return (p - self.offset) / self.zoom

    def to_view(self, p: QPointF) -> QPointF:
        return p * self.zoom + self.offset

    def view_rect(self, r: Rect) -> QRect:
        tl = self.to_view(QPointF(r.x0, r.y0))
        return QRectF(tl.x(), tl.y(), r.width * self.zoom, r.height * self.zoom).toAlignedRect().adjusted(-2, -2, 2, 2)

    # ── rendering ──
    def _rebuild(self) -> None:
        doc = self.model.doc
        self._buffer = np.zeros((doc.height, doc.width, 4), np.uint8)
        self._image = qimage_view(self._buffer)
        self._mask_buf = np.zeros((doc.height, doc.width, 4), np.uint8)
        self._mask_image = qimage_view(self._mask_buf)
        self._mask_tiles = np.zeros((-(-doc.height // MASK_TILE), -(-doc.width // MASK_TILE)), bool)
        self._refresh(doc.bounds)
        self._rebuild_selection()

    def _refresh(self, rect: Rect) -> None:
        doc = self.model.doc
        rect = rect.intersect(doc.bounds)
        if rect.empty:
            return
        s = rect.slices()
        doc.render_premultiplied(self._buffer, rect)
        rgba_to_bgra_inplace(self._buffer[s])
        # mask overlay: red at ~45 %, premultiplied BGRA, through a lookup table
        mask = doc.mask[s]
        self._mask_buf.view(np.uint32)[..., 0][s] = MASK_LUT[mask]
        if self._mask_any or mask.any():
            self._mask_tiles_in(rect)
        self._invalidate(self.view_rect(rect))

    def _mask_tiles_in(self, rect: Rect) -> None:
        """Which MASK_TILE² tiles of the mask have anything in them, for those `rect` touches."""
        doc = self.model.doc
        t = MASK_TILE
        ty0, tx0, ty1, tx1 = rect.y0 // t, rect.x0 // t, -(-rect.y1 // t), -(-rect.x1 // t)
        part = doc.mask[ty0 * t:ty1 * t, tx0 * t:tx1 * t]  # whole tiles
        if part.shape != ((ty1 - ty0) * t, (tx1 - tx0) * t):  # cut by the canvas edge
            whole = np.zeros(((ty1 - ty0) * t, (tx1 - tx0) * t), np.uint8)
            whole[:part.shape[0], :part.shape[1]] = part
            part = whole
        rows = part.reshape(ty1 - ty0, t, part.shape[1]).max(axis=1)
        tiles = rows.reshape(ty1 - ty0, tx1 - tx0, t).max(axis=2)
        self._mask_tiles[ty0:ty1, tx0:tx1] = tiles > 0
        self._mask_any = bool(self._mask_tiles.any())

    def _rebuild_selection(self) -> None:
        sel = self.model.doc.selection
        self._sel_src = sel  # rebuilt only when the selection object changes
        self._sel_image = None
        if sel is not None:
            buf = np.zeros(sel.shape + (4,), np.uint8)
            buf[sel] = (60, 40, 0, 60)  # light blue tint, premultiplied BGRA
            self._sel_buf = buf
            self._sel_image = qimage_view(buf)
        self._invalidate(None)

    def _invalidate(self, rect: QRect | None) -> None:
        """Widget pixels (None: all) whose view of the canvas must be drawn again."""
        if rect is None:
            self._cache_key = ()
        elif self._cache_key:
            self._cache_dirty += rect.intersected(self._cache_rect)

    def _on_changed(self, rect) -> None:
        doc = self.model.doc
        if self._buffer.shape[:2] != (doc.height, doc.width):
            self._rebuild()  # new size: new buffers
            self.fit()
            return
        if rect is None:  # same size: re-render into the buffers we have
            self._refresh(doc.bounds)
            self._rebuild_selection()
            self.update()
            return
        self._refresh(rect)
        if doc.selection is not self._sel_src:
            self._rebuild_selection()
            self.update()
        self.update(self.view_rect(rect))

    def _center(self) -> None:
        doc = self.model.doc
        self.offset = QPointF((self.width() - doc.width * self.zoom) / 2,
                              (self.height() - doc.height * self.zoom) / 2)
        self.zoom_changed.emit(self.zoom)
        self.update()

    @staticmethod
    def _checker_brush() -> QBrush:
        pm = QPixmap(16, 16)
        pm.fill(QColor(255, 255, 255))
        p = QPainter(pm)
        p.fillRect(0, 0, 8, 8, QColor(204, 204, 204))
        p.fillRect(8, 8, 8, 8, QColor(204, 204, 204))
        p.end()
        return QBrush(pm)

    def _draw_canvas(self, p: QPainter, area: QRect) -> None:
        """Background, checkerboard, composite, mask and selection tints: the document as the
        widget shows it, for the widget pixels `area` (`p` is clipped to it)."""
        doc = self.model.doc
        p.fillRect(area, BACKGROUND)
        canvas_view = QRectF(self.offset.x(), self.offset.y(), doc.width * self.zoom,
                             doc.height * self.zoom)
        p.fillRect(canvas_view.intersected(QRectF(area)), self._checker)
        # The source is the part of the canvas the whole widget shows, clipped to `area`: the
        # scaled pixels then come out the same however the widget is split into repaints.
        exposed = QRectF(self.rect()).intersected(canvas_view)
        if exposed.isEmpty() or not exposed.intersects(QRectF(area)):
            return
        tl = self.to_canvas(exposed.topLeft())
        br = self.to_canvas(exposed.bottomRight())
        src = QRectF(tl, br).toAlignedRect().intersected(QRect(0, 0, doc.width, doc.height))
        dst = QRectF(self.to_view(QPointF(src.topLeft())),
                     self.to_view(QPointF(src.x() + src.width(), src.y() + src.height())))
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.zoom < 1)
        p.drawImage(dst, self._image, QRectF(src))
        if self._mask_any:  # an empty mask would draw nothing
            p.drawImage(dst, self._mask_image, QRectF(src))
        if self._sel_image is not None:
            p.drawImage(dst, self._sel_image, QRectF(src))

    def _update_cache(self, area: QRect) -> bool:
        """Redraw what is stale of the cached view inside `area`; False where there is no
        cache (a fractional device pixel ratio, where a logical pixel is no whole device pixel)."""
        ratio = self.devicePixelRatioF()
        if ratio != int(ratio):
            self._cache = None
            return False
        doc = self.model.doc
        key = (self.zoom, self.offset.x(), self.offset.y(), doc.width, doc.height,
               self.width(), self.height(), ratio)
        if key != self._cache_key:  # zoom, pan or size changed: all of it is stale
            size = self.size() * int(ratio)
            if self._cache is None or self._cache.size() != size or \
                    self._cache.devicePixelRatio() != ratio:
                self._cache = QImage(size, QImage.Format.Format_RGB32)  # opaque: copied as is
                self._cache.setDevicePixelRatio(ratio)
            self._cache_key, self._cache_rect = key, self.rect()
            self._cache_dirty = QRegion(self.rect())
        stale = self._cache_dirty.intersected(area)
        if not stale.isEmpty():
            self._cache_dirty -= stale
            p = QPainter(self._cache)
            for r in stale:
                p.setClipRect(r)
                self._draw_canvas(p, r)
            p.end()
        return True

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        area = event.rect()
        if self._update_cache(area):  # copied unscaled: no scaling, no waiting for threads
            k = round(self._cache.devicePixelRatio())
            p.drawImage(area.topLeft(), self._cache,
                        QRect(area.x() * k, area.y() * k, area.width() * k, area.height() * k))
        else:
            self._draw_canvas(p, area)
        if self._preview is not None:
            r = self._preview_rect
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            p.drawImage(QRectF(self.to_view(QPointF(r.x0, r.y0)), self.to_view(QPointF(r.x1, r.y1))),
                        self._preview)
        self._paint_overlays(p)
        p.end()

    def _paint_overlays(self, p: QPainter) -> None:
        pen = QPen(QColor(0, 120, 255), 1, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        box = self.model.doc.selection_bounds()
        if box is not None:
            p.drawRect(QRectF(self.to_view(QPointF(box.x0, box.y0)),
                              self.to_view(QPointF(box.x1, box.y1))))
        if self._drag_start is not None and self._drag_now is not None:
            if self.tool == Tool.RECT_SELECT:
                p.drawRect(QRectF(self.to_view(self._drag_start), self.to_view(self._drag_now)).normalized())
            elif self.tool == Tool.MOVE:
                d = self._drag_now - self._drag_start
                layer = self.model.doc.active
                r = box or (layer.bounds if layer else None)
                if r is not None:
                    target = QRectF(self.to_view(QPointF(r.x0 + d.x(), r.y0 + d.y())),
                                    self.to_view(QPointF(r.x1 + d.x(), r.y1 + d.y())))
                    if self._ghost is not None:  # the pixels follow the mouse, half transparent
                        image, gr = self._ghost
                        p.setOpacity(0.6)
                        p.drawImage(QRectF(self.to_view(QPointF(gr.x0 + d.x(), gr.y0 + d.y())),
                                           self.to_view(QPointF(gr.x1 + d.x(), gr.y1 + d.y()))), image)
                        p.setOpacity(1.0)
                    p.drawRect(target)
        if self._lasso:
            p.drawPolyline(QPolygonF([self.to_view(QPointF(x, y)) for x, y in self._lasso]))
        if self._mouse is not None and self.tool in (Tool.BRUSH, Tool.ERASER, Tool.MASK, Tool.MASK_ERASER):
            r = self.brush_size * self.zoom / 2
            p.setPen(QPen(QColor(255, 255, 255, 200), 1))
            p.drawEllipse(self._mouse, r, r)
            p.setPen(QPen(QColor(0, 0, 0, 200), 1))
            p.drawEllipse(self._mouse, r + 1, r + 1)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.auto_fit and self.width() > 50:
            self.fit()

    # ── input ──
    def _panning(self, event) -> bool:
        return (self.tool == Tool.PAN or self._space
                or event.buttons() & Qt.MouseButton.MiddleButton
                or event.button() == Qt.MouseButton.MiddleButton)

    def mousePressEvent(self, event) -> None:
        pos = event.position()
        if self._panning(event):
            self._pan_from = pos
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        c = self.to_canvas(pos)
        doc = self.model.doc
        layer = doc.active
        if event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.pick_color(int(c.x()), int(c.y()))
            return
        if self.tool in (Tool.BRUSH, Tool.ERASER, Tool.MASK, Tool.MASK_ERASER):
            target = MASK if self.tool in (Tool.MASK, Tool.MASK_ERASER) else (layer.id if layer else None)
            if target is None:
                return
            if target != MASK and not layer.visible:
                return
            erase = self.tool in (Tool.ERASER, Tool.MASK_ERASER)
            self._stroke = Stroke(doc, target, self.brush(erase), self.model.memory)
            self._paint_to(c)
        elif self.tool == Tool.FILL and layer is not None:
            self.model.apply(Fill(layer.id, self.color + (255,), (int(c.x()), int(c.y())),
                                  self.fill_tolerance))
        elif self.tool in (Tool.RECT_SELECT, Tool.MOVE):
            self._drag_start = self._drag_now = c
            if self.tool == Tool.MOVE:
                self._ghost = self._make_ghost()
        elif self.tool == Tool.LASSO:
            self._lasso = [(c.x(), c.y())]

    def _cursor_rect(self, pos: QPointF | None) -> QRect:
        if pos is None:
            return QRect()
        r = self.brush_size * self.zoom / 2 + 3
        return QRectF(pos.x() - r, pos.y() - r, 2 * r, 2 * r).toAlignedRect()

    def mouseMoveEvent(self, event) -> None:
        pos = event.position()
        if self.tool in (Tool.BRUSH, Tool.ERASER, Tool.MASK, Tool.MASK_ERASER):
            # repaint only where the brush outline was and is (a full repaint of a scaled
            # 4096² canvas on every mouse move would cost more than the painting itself)
            self.update(self._cursor_rect(self._mouse).united(self._cursor_rect(pos)))
        self._mouse = pos
        c = self.to_canvas(pos)
        self.cursor_moved.emit(int(math.floor(c.x())), int(math.floor(c.y())))
        if self._pan_from is not None:
            self.auto_fit = False
            self.offset += pos - self._pan_from
            self._pan_from = pos
            self.update()
            return
        if self._stroke is not None:
            self._paint_to(c)
        elif self._drag_start is not None:
            self._drag_now = c
            self.update()
        elif self._lasso:
            self._lasso.append((c.x(), c.y()))
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self.unsetCursor()
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        c = self.to_canvas(event.position())
        doc = self.model.doc
        if self._stroke is not None:
            self._paint_to(c)
            self._finish_stroke()
        elif self._drag_start is not None:
            start, self._drag_start, self._drag_now = self._drag_start, None, None
            if self.tool == Tool.RECT_SELECT:
                r = Rect(int(min(start.x(), c.x())), int(min(start.y(), c.y())),
                         int(math.ceil(max(start.x(), c.x()))), int(math.ceil(max(start.y(), c.y()))))
                region = None if r.width < 2 or r.height < 2 else rect_region(doc.width, doc.height, r)
                self.model.apply(Select(region))
            elif self.tool == Tool.MOVE and doc.active is not None:
                self._ghost = None
                d = c - start
                self.model.apply(Transform(doc.active.id, round(d.x()), round(d.y()),
                                           selection_only=doc.selection is not None))
            self.update()
        elif self._lasso:
            points, self._lasso = self._lasso + [(c.x(), c.y())], []
            region = lasso_region(doc.width, doc.height, points) if len(points) >= 3 else None
            self.model.apply(Select(region if region is not None and region.any() else None))
            self.update()

    def pick_color(self, x: int, y: int) -> None:
        """Take the visible colour under canvas pixel (x, y) as the brush colour (eyedropper)."""
        doc = self.model.doc
        if 0 <= x < doc.width and 0 <= y < doc.height:
            rgb = doc.flatten(rect=Rect(x, y, x + 1, y + 1))[0, 0]
            self.color = (int(rgb[0]), int(rgb[1]), int(rgb[2]))
            self.color_picked.emit(self.color)

    def _make_ghost(self) -> tuple[QImage, Rect] | None:
        """What the move tool drags: the active layer, or its selected pixels, as an image."""
        doc = self.model.doc
        layer = doc.active
        if layer is None or layer.rgba.size == 0:
            return None
        box = doc.selection_bounds()
        if box is None:
            return rgba_to_qimage(layer.rgba), layer.bounds
        inter = box.intersect(layer.bounds)
        if inter.empty:
            return None
        part = layer.rgba[inter.shifted(-layer.x, -layer.y).slices()].copy()
        part[..., 3] = np.where(doc.selection[inter.slices()], part[..., 3], 0)
        return rgba_to_qimage(part), inter

    def _paint_to(self, c: QPointF) -> None:
        rect = self._stroke.add(c.x(), c.y())
        if not rect.empty:
            self.model.repaint(rect)

    def _finish_stroke(self) -> None:
        if self._stroke is None:
            return
        stroke, self._stroke = self._stroke, None
        edit = stroke.finish()
        if edit is not None:
            self.model.push(edit)

    def leaveEvent(self, event) -> None:
        self.update(self._cursor_rect(self._mouse))
        self._mouse = None

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.set_zoom(self.zoom * (1.2 ** steps), event.position())

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setCursor(Qt.CursorShape.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.unsetCursor()
            return
        super().keyReleaseEvent(event)

    # ── drag and drop ──
    @staticmethod
    def _image_files(mime) -> list[str]:
        if not mime.hasUrls():
            return []
        return [u.toLocalFile() for u in mime.urls()
                if u.isLocalFile() and Path(u.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES]

    def dragEnterEvent(self, event) -> None:
        if self._image_files(event.mimeData()) or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        mime = event.mimeData()
        files = self._image_files(mime)
        if files:
            event.acceptProposedAction()
            self.files_dropped.emit(files)
        elif mime.hasImage():
            event.acceptProposedAction()
            self.image_dropped.emit(qimage_to_rgba(mime.imageData()))


def qimage_to_rgba(image: QImage) -> np.ndarray:
    """An H×W×4 uint8 straight-alpha copy of a QImage."""
    img = image.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = img.width(), img.height()
    ptr = img.constBits()
    arr = np.frombuffer(ptr, np.uint8, count=img.bytesPerLine() * h).reshape(h, img.bytesPerLine())
    return arr[:, :w * 4].reshape(h, w, 4).copy()


def rgba_to_qimage(rgba: np.ndarray) -> QImage:
    rgba = np.ascontiguousarray(rgba)
    h, w = rgba.shape[:2]
    return QImage(rgba.data, w, h, w * 4, QImage.Format.Format_RGBA8888).copy()
