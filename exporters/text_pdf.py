"""A draft as PDF through Qt's text layout (fonts, wrapping, any script).

The one exporter that needs Qt: call it on the GUI thread with a QGuiApplication running.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument


def encode_text_pdf(text: str, title: str = "", *, point_size: float = 11.0,
                    page: QPageSize.PageSizeId = QPageSize.PageSizeId.A4) -> bytes:
    """PDF bytes of plain text laid out on pages with 2 cm margins."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setTitle(title)
    writer.setCreator("Studio")
    writer.setResolution(300)
    writer.setPageLayout(QPageLayout(QPageSize(page), QPageLayout.Orientation.Portrait,
                                     QMarginsF(20, 20, 20, 20), QPageLayout.Unit.Millimeter))
    doc = QTextDocument()
    font = QFont()
    font.setPointSizeF(point_size)
    doc.setDefaultFont(font)
    if title:
        doc.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)
    doc.setPlainText(text)
    doc.print_(writer)
    del writer  # finishes the PDF into the buffer
    buf.close()
    return bytes(data.data())
