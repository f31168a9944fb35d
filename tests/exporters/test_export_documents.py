"""OpenRaster, PDF and draft (text) exporters: write, read back, compare."""

from __future__ import annotations

import html.parser
import io
import re
import zipfile

import numpy as np
import pytest
from PIL import Image

from exporters.a1111 import format_parameters
from exporters.ora import OraLayer, composite, read_ora, write_ora
from exporters.pdf import encode_contact_sheet, encode_pdf_pages
from exporters.text import encode_html, encode_markdown, encode_odt, encode_plain_text, read_odt
from studio.jobs import UserError

rng = np.random.default_rng(3)


def rgba(h, w, alpha=None):
    a = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    if alpha is not None:
        a[..., 3] = alpha
    return a


# ── OpenRaster ──


def test_ora_round_trip():
    layers = [OraLayer("background", rgba(40, 60, 255)),
              OraLayer("草图 ✏️", rgba(10, 20), x=5, y=7, opacity=0.5),
              OraLayer("hidden", rgba(40, 60), visible=False),
              OraLayer("off the edge", rgba(30, 30), x=45, y=-10, opacity=0.25)]
    data = write_ora(layers, 60, 40)
    width, height, back = read_ora(data)
    assert (width, height) == (60, 40)
    assert [l.name for l in back] == [l.name for l in layers]
    for a, b in zip(layers, back):
        assert np.array_equal(a.rgba, b.rgba)
        assert (a.x, a.y, a.visible) == (b.x, b.y, b.visible)
        assert a.opacity == pytest.approx(b.opacity)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"image/openraster"
        stack = z.read("stack.xml").decode("utf-8")
        # stack.xml lists the top layer first
        assert stack.index('name="off the edge"') < stack.index('name="background"')
        merged = np.asarray(Image.open(io.BytesIO(z.read("mergedimage.png"))))
        assert np.array_equal(merged, composite(layers, 60, 40))
        thumb = Image.open(io.BytesIO(z.read("Thumbnails/thumbnail.png")))
        assert max(thumb.size) <= 256


def test_composite_source_over():
    bottom = OraLayer("b", np.array([[[255, 0, 0, 255]]], np.uint8))
    top = OraLayer("t", np.array([[[0, 0, 255, 255]]], np.uint8), opacity=0.5)
    out = composite([bottom, top], 1, 1)[0, 0]
    assert out[3] == 255 and abs(int(out[0]) - 128) <= 1 and abs(int(out[2]) - 128) <= 1
    assert composite([OraLayer("h", bottom.rgba, visible=False)], 1, 1)[0, 0, 3] == 0


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _png(a):
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "PNG")
    return buf.getvalue()


def test_ora_refuses_path_traversal():
    stack = b'<image w="4" h="4"><stack><layer name="x" src="../../evil.png"/></stack></image>'
    bad = _zip({"mimetype": b"image/openraster", "stack.xml": stack, "../../evil.png": _png(rgba(4, 4))})
    with pytest.raises(UserError, match="outside"):
        read_ora(bad)
    stack = b'<image w="4" h="4"><stack><layer name="x" src="/etc/passwd"/></stack></image>'
    with pytest.raises(UserError, match="outside"):
        read_ora(_zip({"mimetype": b"image/openraster", "stack.xml": stack}))


def test_ora_nested_stack_and_bad_files():
    stack = (b'<image w="8" h="8"><stack><stack x="2" y="3" opacity="0.5" visibility="hidden">'
             b'<layer name="inner" src="data/a.png" x="1" y="1" opacity="0.5"/></stack>'
             b'<layer name="bottom" src="data/b.png"/></stack></image>')
    inner, bottom = rgba(2, 2), rgba(8, 8)
    w, h, layers = read_ora(_zip({"mimetype": b"image/openraster", "stack.xml": stack,
                                  "data/a.png": _png(inner), "data/b.png": _png(bottom)}))
    assert [l.name for l in layers] == ["bottom", "inner"]
    assert (layers[1].x, layers[1].y, layers[1].visible) == (3, 4, False)
    assert layers[1].opacity == pytest.approx(0.25)
    with pytest.raises(UserError):
        read_ora(b"garbage")
    with pytest.raises(UserError, match="missing"):
        read_ora(_zip({"mimetype": b"image/openraster"}))
    with pytest.raises(UserError):
        read_ora(_zip({"mimetype": b"application/zip", "stack.xml": stack}))


# ── PDF ──


def pdf_images(data: bytes) -> list[np.ndarray]:
    """Every JPEG image stream in a PDF, decoded."""
    out = []
    for m in re.finditer(rb"/Filter\s*/DCTDecode.*?stream\r?\n", data, re.S):
        out.append(np.asarray(Image.open(io.BytesIO(data[m.end():])).convert("RGB")))
    return out


def pdf_string(data: bytes, key: bytes) -> str:
    m = re.search(rb"/" + key + rb" \(((?:\\.|[^\\)])*)\)", data, re.S)
    assert m, key
    raw = re.sub(rb"\\(.)", lambda g: g.group(1), m.group(1), flags=re.S)
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def test_pdf_one_image_per_page():
    y, x = np.mgrid[0:48, 0:64]
    a = np.stack([x * 4, y * 5, x + y], -1).astype(np.uint8)
    b = 255 - a
    params = [{"prompt": "猫 one", "seed": 1, "model_id": "m"}, {"prompt": "two", "seed": 2, "model_id": "m"}]
    data = encode_pdf_pages([a, b], params, title="Studio 导出")
    assert data.startswith(b"%PDF") and b"/Count 2" in data
    imgs = pdf_images(data)
    assert len(imgs) == 2
    for got, want in zip(imgs, (a, b)):
        assert got.shape == want.shape
        assert np.abs(got.astype(int) - want).mean() < 3
    assert pdf_string(data, b"Title") == "Studio 导出"
    assert pdf_string(data, b"Subject") == "\n\n".join(format_parameters(p) for p in params)


def test_contact_sheet_pages():
    imgs = [np.full((64, 64, 3), i * 8, np.uint8) for i in range(30)]
    data = encode_contact_sheet(imgs, [f"一只猫 seed {i}" for i in range(30)], columns=4)
    pages = pdf_images(data)
    per_page = 4 * ((1754 - 96 + 24) // (((1240 - 96 - 72) // 4) + 28 + 24))
    assert len(pages) == -(-30 // per_page) and pages[0].shape == (1754, 1240, 3)
    # the first cell holds the first image (black), centred in its cell
    cell = (1240 - 96 - 72) // 4
    assert pages[0][48 + cell // 2, 48 + cell // 2].max() < 20
    with pytest.raises(ValueError):
        encode_contact_sheet([])


# ── drafts ──

DRAFT = "第一章 🐉\n\nShe said:  \"hello\"\tand <left> & ran.\n   indented line\n\nend "


class _Paras(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.paras, self.inside, self.title, self._in_title = [], False, "", False

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self.inside = True
            self.paras.append("")
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self.inside = self.inside and tag != "p"
        self._in_title = False

    def handle_data(self, data):
        if self.inside:
            self.paras[-1] += data
        elif self._in_title:
            self.title += data


def test_plain_and_markdown():
    assert encode_plain_text(DRAFT).decode("utf-8") == DRAFT + "\n"
    assert encode_plain_text("a\r\nb\rc\n").decode() == "a\nb\nc\n"
    md = encode_markdown(DRAFT, title="龙").decode("utf-8")
    assert md == "# 龙\n\n" + DRAFT + "\n"


def test_html_round_trip():
    doc = encode_html(DRAFT, title="A <draft>").decode("utf-8")
    assert '<meta charset="utf-8">' in doc
    p = _Paras()
    p.feed(doc)
    assert "\n".join(p.paras) == DRAFT
    assert p.title == "A <draft>"


def test_odt_round_trip():
    data = encode_odt(DRAFT, title="草稿 ✨")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        assert "META-INF/manifest.xml" in z.namelist()
    assert read_odt(data) == ("草稿 ✨", DRAFT)
    with pytest.raises(UserError):
        read_odt(b"nope")


def test_text_pdf(qapp):
    from exporters.text_pdf import encode_text_pdf

    short = encode_text_pdf(DRAFT, title="草稿")
    long = encode_text_pdf("\n".join(f"line {i} 第{i}行" for i in range(400)), title="long")
    assert short.startswith(b"%PDF") and long.startswith(b"%PDF")
    pages = lambda d: len(re.findall(rb"/Type\s*/Page\b", d))  # noqa: E731
    assert pages(short) == 1 and pages(long) > 3
