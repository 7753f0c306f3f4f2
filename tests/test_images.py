"""core.images: awkward and hostile files, all generated here, each turned into a picture or a clear message."""

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from core.images import (
    MAX_PIXELS,
    WORKING_SIDE,
    ImageInputError,
    digest_of,
    display_jpeg,
    fit,
    load_image,
    png_bytes,
)
from core.pictures import encoded_format


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def gradient(width: int = 64, height: int = 48) -> Image.Image:
    x = np.linspace(0, 255, width, dtype=np.uint8)
    rgb = np.stack([np.tile(x, (height, 1)), np.tile(x[::-1], (height, 1)), np.full((height, width), 90, np.uint8)], -1)
    return Image.fromarray(rgb, "RGB")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares huge dimensions but holds almost no data (a decompression-bomb shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"])
def test_every_allowed_format_decodes_to_rgb(fmt):
    """Each allowed format comes out as an RGB image of the original size."""
    loaded = load_image(encode(gradient(), fmt))
    assert loaded.image.mode == "RGB"
    assert loaded.image.size == (64, 48)
    assert loaded.source_format == fmt


def test_exif_rotated_jpeg_is_turned_upright():
    """Orientation 6 (rotate 90° clockwise to view) swaps the sides and is noted."""
    image = gradient(80, 40)
    exif = Image.Exif()
    exif[0x0112] = 6
    loaded = load_image(encode(image, "JPEG", exif=exif))
    assert loaded.image.size == (40, 80)
    assert loaded.original_size == (40, 80)
    assert any("EXIF" in note for note in loaded.notes)
    # The left edge of the stored image (dark red) ends up at the top after a clockwise turn.
    top = np.asarray(loaded.image)[0].mean(axis=0)
    bottom = np.asarray(loaded.image)[-1].mean(axis=0)
    assert top[0] < bottom[0]


def test_cmyk_jpeg_keeps_its_colours():
    """A CMYK JPEG becomes RGB with roughly the colours it had."""
    red = Image.new("RGB", (32, 32), (220, 30, 30)).convert("CMYK")
    loaded = load_image(encode(red, "JPEG", quality=95))
    r, g, b = np.asarray(loaded.image).reshape(-1, 3).mean(axis=0)
    assert r > 180 and g < 80 and b < 80
    assert any("CMYK" in note for note in loaded.notes)


def test_16_bit_greyscale_png_is_scaled_not_clipped():
    """A 16-bit greyscale gradient stays a gradient (a plain convert would clip it to white)."""
    values = np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (32, 1))
    loaded = load_image(encode(Image.fromarray(values), "PNG"))
    grey = np.asarray(loaded.image)[..., 0]
    assert grey[:, 0].max() < 10 and grey[:, -1].min() > 245
    assert np.all(np.diff(grey[0].astype(int)) >= 0)


def test_palette_png_with_transparency_goes_on_white():
    """Transparent palette entries become white, opaque ones keep their colour."""
    image = Image.new("P", (32, 32), 0)
    image.putpalette([0, 0, 255] + [255, 0, 0] * 255)
    image.paste(1, (0, 0, 16, 32))
    loaded = load_image(encode(image, "PNG", transparency=0))
    pixels = np.asarray(loaded.image)
    assert tuple(pixels[0, 0]) == (255, 0, 0)
    assert tuple(pixels[0, 31]) == (255, 255, 255)
    assert any("Transparent" in note for note in loaded.notes)


def test_rgba_png_alpha_is_flattened():
    """A half-transparent RGBA image is composited over white."""
    image = Image.new("RGBA", (20, 20), (0, 0, 0, 128))
    pixel = np.asarray(load_image(encode(image, "PNG")).image)[0, 0]
    assert 120 <= pixel[0] <= 135


def test_greyscale_and_bilevel_images_become_rgb():
    """Modes L and 1 (an 8-bit greyscale PNG too) come out as RGB with equal channels, and a note says so."""
    for image in (Image.new("L", (20, 20), 77), Image.new("1", (20, 20), 1)):
        loaded = load_image(encode(image, "PNG"))
        pixels = np.asarray(loaded.image)
        assert pixels.shape == (20, 20, 3)
        assert np.all(pixels[..., 0] == pixels[..., 2])
        assert any("Greyscale" in note for note in loaded.notes)


def test_plain_palette_image_gets_a_note():
    """An indexed-colour PNG without transparency is converted and the note says so."""
    loaded = load_image(encode(Image.new("P", (20, 20), 3), "PNG"))
    assert any("Palette" in note for note in loaded.notes)


def test_a_file_over_the_limit_is_refused_with_its_size():
    """11 MB of bytes: the message names the size and the 10 MB limit (the uploader lets it through to say so)."""
    with pytest.raises(ImageInputError, match=r"11\.0 MB; the limit is 10 MB"):
        load_image(b"\xff" * (11 * 2**20))


def test_animated_gif_uses_first_frame():
    """Only the first frame is used, and the note says how many frames there were."""
    frames = [Image.new("RGB", (24, 24), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)
    loaded = load_image(data)
    assert tuple(np.asarray(loaded.image)[0, 0]) == (255, 0, 0)
    assert any("3 frames" in note for note in loaded.notes)


def test_large_image_is_downscaled_to_working_size():
    """A 3000x2000 photo is reduced to a 1024 px long side, keeping its aspect."""
    loaded = load_image(encode(gradient(3000, 2000), "JPEG"))
    assert loaded.image.size == (WORKING_SIDE, 683)
    assert loaded.original_size == (3000, 2000)
    assert any("Downscaled from 3000×2000" in note for note in loaded.notes)


def test_float_tiff_is_scaled():
    """A 32-bit float TIFF is stretched to 0..255."""
    values = np.tile(np.linspace(-1.0, 1.0, 40, dtype=np.float32), (20, 1))
    grey = np.asarray(load_image(encode(Image.fromarray(values, "F"), "TIFF")).image)[..., 0]
    assert grey[0, 0] == 0 and grey[0, -1] == 255


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("zero bytes", b"", "empty"),
        ("text renamed .png", b"hello, this is not an image\n" * 10, "not an image we can read"),
        ("PDF renamed .png", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "PDF document"),
        ("SVG", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>', "SVG"),
        ("SVG without prolog", b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "SVG"),
        ("HTML", b"<!doctype html><html><body>hi</body></html>", "not an image we can read"),
        ("ICO (not allowed)", encode(Image.new("RGB", (32, 32)), "ICO"), "not an image we can read"),
        ("PSD-like header", b"8BPS" + bytes(200), "not an image we can read"),
        ("1x1 image", encode(Image.new("RGB", (1, 1)), "PNG"), "at least 16 pixels"),
        ("20000x20 strip", encode(Image.new("L", (20000, 20)), "PNG"), "aspect ratio"),
        ("beyond the pixel limit", png_header_only(8000, 8000), "megapixels"),
        ("Pillow bomb size", png_header_only(20000, 20000), "megapixels"),
        ("too many bytes", b"\xff\xd8" + bytes(11 * 1024 * 1024), "limit is 10 MB"),
    ],
)
def test_bad_files_get_clear_messages(name, data, expected):
    """Every hostile or unusable file raises ImageInputError with a specific, readable message."""
    with pytest.raises(ImageInputError, match=expected):
        load_image(data)


def test_truncated_jpeg_is_reported_as_damaged():
    """A JPEG cut in half is refused as damaged, not decoded into garbage."""
    data = encode(gradient(400, 300), "JPEG")
    with pytest.raises(ImageInputError, match="damaged or truncated"):
        load_image(data[: len(data) // 2])


def test_truncated_png_is_reported_as_damaged():
    """A PNG missing its pixel data is refused as damaged."""
    data = encode(gradient(200, 200), "PNG")
    with pytest.raises(ImageInputError, match="damaged or truncated"):
        load_image(data[:200])


def test_messages_name_what_is_accepted():
    """The unreadable-file message lists the accepted formats."""
    with pytest.raises(ImageInputError) as error:
        load_image(b"GIF89a-garbage")
    assert "JPEG, PNG, WebP, GIF, BMP or TIFF" in str(error.value)


def test_pixel_limit_is_below_pillows_bomb_limit():
    """Our limit bites before Pillow's decompression-bomb error."""
    assert MAX_PIXELS < Image.MAX_IMAGE_PIXELS


def test_digest_is_sha256_of_the_bytes():
    """The cache key is the SHA-256 of the bytes, so identical uploads share, different ones never do."""
    data = encode(gradient(), "PNG")
    assert load_image(data).digest == digest_of(data)
    assert digest_of(data) != digest_of(data + b"\0")
    assert len(digest_of(data)) == 64


def test_fit_limits_long_side_and_leaves_the_original_alone():
    """fit() returns a smaller copy and never touches the input."""
    image = gradient(800, 400)
    small = fit(image, 200)
    assert small.size == (200, 100)
    assert image.size == (800, 400)


def test_display_jpeg_is_fitted_and_decodes_to_nearly_the_same_picture():
    """Encoded once at display size; decoding gives the fitted picture back up to JPEG's small error."""
    from core.images import decode_jpeg, display_jpeg, fit

    rng = np.random.default_rng(0)
    smooth = np.kron(rng.integers(0, 255, (30, 40, 3)), np.ones((20, 20, 1))).astype(np.uint8)  # 600×800
    image = Image.fromarray(smooth)
    data = display_jpeg(image, 320)
    assert data[:2] == b"\xff\xd8"  # a JPEG
    shown = decode_jpeg(data)
    assert shown.size == fit(image, 320).size == (320, 240)
    error = np.abs(np.asarray(shown, dtype=float) - np.asarray(fit(image, 320), dtype=float)).mean()
    assert error < 12  # sharp block edges; a different picture would be off by ~80


def test_encoded_format_names_what_streamlit_would_otherwise_re_encode():
    """PNG and JPEG bytes are told apart, so st.image sends them as they are; Pillow agrees on each."""
    picture = Image.new("L", (8, 8), 128)
    for data, expected in ((png_bytes(picture), "PNG"), (display_jpeg(picture.convert("RGB"), 8), "JPEG")):
        assert encoded_format(data) == expected == Image.open(io.BytesIO(data)).format
