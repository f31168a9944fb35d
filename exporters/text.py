"""Drafts as Markdown, plain text, HTML and ODT (OpenDocument Text, written by hand).

A draft is plain Unicode text; each line becomes a paragraph in HTML/ODT so a round trip gives
back exactly the same text. (PDF of a draft needs Qt's layout engine: ``exporters.text_pdf``.)
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from studio.jobs import UserError

ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
}


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def encode_plain_text(text: str) -> bytes:
    """UTF-8, ``\\n`` line ends, ending with a newline."""
    body = "\n".join(_lines(text))
    return (body if body.endswith("\n") else body + "\n").encode("utf-8")


def encode_markdown(text: str, title: str = "") -> bytes:
    """The draft as is (prose is valid Markdown), under a ``# title`` heading if given."""
    head = f"# {title.strip()}\n\n" if title.strip() else ""
    return encode_plain_text(head + text)


def encode_html(text: str, title: str = "") -> bytes:
    """A standalone UTF-8 HTML page, one ``<p>`` per line (empty lines kept as empty paragraphs)."""
    paras = "\n".join(f"<p>{html.escape(line) or '<br>'}</p>" for line in _lines(text))
    doc = (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
           f'<meta name="generator" content="Studio">\n<title>{html.escape(title)}</title>\n'
           f"<style>p {{ margin: 0 0 0.2em 0; white-space: pre-wrap; }}</style>\n"
           f"</head>\n<body>\n{paras}\n</body>\n</html>\n")
    return doc.encode("utf-8")


def _odt_para(line: str) -> str:
    # ODF collapses runs of spaces and drops tabs unless they are <text:s>/<text:tab> elements.
    parts = []
    for token in re.split(r"( {2,}|\t|^ )", line):
        if not token:
            continue
        if token == "\t":
            parts.append("<text:tab/>")
        elif token.strip(" ") == "" and (len(token) > 1 or not parts):
            parts.append(f'<text:s text:c="{len(token)}"/>')
        else:
            parts.append(escape(token))
    return f'<text:p text:style-name="Standard">{"".join(parts)}</text:p>'


def encode_odt(text: str, title: str = "") -> bytes:
    """An ODT document LibreOffice/Word open: one paragraph per line, title in the metadata."""
    ns = " ".join(f'xmlns:{k}="{v}"' for k, v in _NS.items() if k != "manifest")
    body = "\n".join(_odt_para(line) for line in _lines(text))
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ns} office:version="1.2">'
               f"<office:body><office:text>\n{body}\n</office:text></office:body></office:document-content>")
    styles = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {ns} office:version="1.2">'
              '<office:styles><style:style style:name="Standard" style:family="paragraph">'
              '<style:paragraph-properties fo:margin-bottom="0.1cm"/></style:style></office:styles>'
              "</office:document-styles>")
    meta = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {ns} office:version="1.2">'
            f"<office:meta><meta:generator>Studio</meta:generator><dc:title>{escape(title)}</dc:title>"
            "</office:meta></office:document-meta>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<manifest:manifest xmlns:manifest="{_NS["manifest"]}" manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT_MIMETYPE}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), ODT_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("styles.xml", styles)
        z.writestr("meta.xml", meta)
        z.writestr("META-INF/manifest.xml", manifest)
    return buf.getvalue()


def read_odt(data: bytes) -> tuple[str, str]:
    """(title, text) of an ODT: paragraphs and headings joined by newlines."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            content = ET.fromstring(z.read("content.xml"))
            try:
                meta = ET.fromstring(z.read("meta.xml"))
            except KeyError:
                meta = None
    except (zipfile.BadZipFile, KeyError, ET.ParseError) as exc:
        raise UserError(f"This is not a readable OpenDocument text file ({exc}).") from None
    t = "{%s}" % _NS["text"]

    def flatten(el: ET.Element) -> str:
        out = [el.text or ""]
        for child in el:
            if child.tag == t + "s":
                out.append(" " * int(child.get(t + "c", "1")))
            elif child.tag == t + "tab":
                out.append("\t")
            elif child.tag == t + "line-break":
                out.append("\n")
            else:
                out.append(flatten(child))
            out.append(child.tail or "")
        return "".join(out)

    paras = [flatten(el) for el in content.iter() if el.tag in (t + "p", t + "h")]
    title = ""
    if meta is not None:
        found = meta.find(".//{%s}title" % _NS["dc"])
        title = (found.text or "") if found is not None else ""
    return title, "\n".join(paras)
