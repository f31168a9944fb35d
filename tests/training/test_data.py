import numpy as np
import pytest
from PIL import Image

from studio.jobs import UserError
from studio.training import data
from tests.training.helpers import fake_npm_sources, png


def test_build_emoji_joins_images_and_captions(tmp_path):
    ds = data.build_emoji(fake_npm_sources(tmp_path))
    # 4 base emoji + 1 skin variant, in two styles; the caption-only entry without an image is skipped
    assert ds.images.shape == (10, 64, 64, 3) and ds.images.dtype == np.uint8
    assert len(ds.concept_names) == 4 and "没有图片" not in ds.concept_names
    assert set(ds.style.tolist()) == {0, 1}
    # the skin variant shares its base emoji's concept and has its own label
    grin = ds.concept_names.index("grinning face")
    caps = {ds.captions[c] for i in np.flatnonzero(ds.concept == grin) for c in ds.image_captions[i] if c >= 0}
    assert "grinning face: light skin tone" in caps and "a grinning face" in caps
    assert "grinning face, twemoji style" in caps and "face, grin" in caps
    # transparent pixels are composited on white
    assert (ds.images[:, 0, 0] == 255).all()


def test_dataset_round_trips_through_npz(tmp_path):
    ds = data.build_emoji(fake_npm_sources(tmp_path / "src"))
    ds.save(tmp_path / "d.npz")
    back = data.Dataset.load(tmp_path / "d.npz")
    assert np.array_equal(back.images, ds.images) and back.captions == ds.captions
    assert np.array_equal(back.held_out, ds.held_out) and back.concept_names == ds.concept_names
    assert len(back.train_indices()) == int((~ds.held_out[ds.concept]).sum())


def test_held_out_split_is_stable_and_small():
    codes = [f"1F{n:03X}" for n in range(1000)]
    held = [data.is_held_out(c, 0) for c in codes]
    assert held == [data.is_held_out(c, 0) for c in codes]
    assert 0.01 < np.mean(held) < 0.08
    assert not any(data.is_held_out(c, 9) for c in codes)  # flags stay in


def test_build_folder_reads_user_art(tmp_path):
    art = tmp_path / "art"
    (art / "sub").mkdir(parents=True)
    (art / "a.png").write_bytes(png((10, 200, 10)))
    (art / "a.txt").write_text("a green ball\ngreen circle\n", encoding="utf-8")
    Image.new("RGB", (100, 60), (0, 0, 255)).save(art / "sub" / "b.jpg")
    (art / "sub" / "b.txt").write_text("蓝色的方块 🟦", encoding="utf-8")
    (art / "no_caption.png").write_bytes(png((1, 2, 3)))
    ds = data.build_folder(art)
    assert ds.images.shape == (2, 64, 64, 3)
    assert ds.captions == ["a green ball", "green circle", "蓝色的方块 🟦"]
    r, g, b = ds.images[1].reshape(-1, 3).mean(0)  # a JPEG: nearly pure blue
    assert r < 5 and g < 5 and b > 250


def test_build_folder_without_captions_is_a_user_error(tmp_path):
    (tmp_path / "x.png").write_bytes(png((1, 2, 3)))
    with pytest.raises(UserError):
        data.build_folder(tmp_path)
