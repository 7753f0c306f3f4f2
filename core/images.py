"""Turn untrusted image bytes into a normalized RGB picture, or a message a person can act on.

Everything here works on bytes in memory: uploads are never written to disk.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

SAMPLE_DIR = Path(__file__).parents[1] / "sample_images"  # the bundled photos
# Decoders we let Pillow use; everything else (PSD, EPS, ICO, PDF, ...) is refused before decoding.
ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
ACCEPTED_TEXT = "JPEG, PNG, WebP, GIF, BMP or TIFF"
MAX_BYTES = 10 * 1024 * 1024  # matches server.maxUploadSize in .streamlit/config.toml
MAX_PIXELS = 40_000_000  # well below Pillow's decompression-bomb limit (~179 MP)
WORKING_SIDE = 1024  # long side every transform starts from
MIN_SIDE = 16  # smaller images carry too little to augment meaningfully
MAX_ASPECT = 20.0  # longer strips would shrink to a line at the working size
_EXIF_ORIENTATIONS = range(2, 9)  # 1 means "already upright"
_TRANSPOSING_ORIENTATIONS = range(5, 9)  # these swap width and height


class ImageInputError(ValueError):
    """The bytes are not an image we can use; the message says why and what is accepted."""


@dataclass(frozen=True)
class LoadedImage:
    image: Image.Image  # RGB, long side at most WORKING_SIDE
    digest: str  # sha256 of the original bytes: the cache key for everything derived from it
    source_format: str  # the decoder Pillow used, e.g. "JPEG"
    original_size: tuple[int, int]  # (width, height) after EXIF orientation, before downscaling
    notes: tuple[str, ...] = field(default=())  # what was done to make it usable, in plain words


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reject_known_non_images(data: bytes) -> None:
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf"):
        raise ImageInputError(f"This is a PDF document, not an image. Upload a {ACCEPTED_TEXT} file.")
    if head.startswith(b"<?xml") or b"<svg" in head:
        raise ImageInputError(
            f"SVG vector graphics are not supported (they are drawn, not decoded). "
            f"Export it as PNG, or upload a {ACCEPTED_TEXT} file."
        )


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow warns between 89 and 179 MP; our own, lower limit handles that range below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    except Image.DecompressionBombError as error:
        raise ImageInputError(
            f"The image is far too large to decode safely ({error}). The limit is {MAX_PIXELS // 1_000_000} megapixels."
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ImageInputError(f"This file is not an image we can read. Accepted formats: {ACCEPTED_TEXT}.") from None


def _check_dimensions(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise ImageInputError(
            f"The image is {width}×{height} = {width * height / 1e6:.0f} megapixels; "
            f"the limit is {MAX_PIXELS // 1_000_000} megapixels. Please downscale it first."
        )
    if min(width, height) < MIN_SIDE:
        raise ImageInputError(f"The image is only {width}×{height} pixels; each side needs at least {MIN_SIDE} pixels.")
    if max(width, height) / min(width, height) > MAX_ASPECT:
        raise ImageInputError(
            f"The image is {width}×{height} pixels, a strip of aspect ratio "
            f"{max(width, height) / min(width, height):.0f}:1; at most {MAX_ASPECT:.0f}:1 is accepted."
        )


def _high_bit_depth_to_l(image: Image.Image) -> Image.Image:
    """16-bit and float greyscale: stretch the used range to 0..255 (Pillow would clip it to white)."""
    values = np.asarray(image, dtype=np.float64)
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) / (high - low) * 255.0 if high > low else np.zeros_like(values)
    return Image.fromarray(np.round(scaled).astype(np.uint8), mode="L")


def _to_rgb(image: Image.Image, notes: list[str]) -> Image.Image:
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        notes.append(f"High-bit-depth greyscale ({image.mode}) scaled to 8 bits.")
        image = _high_bit_depth_to_l(image)
    if image.mode in ("1", "L", "LA", "La"):
        notes.append("Greyscale image: its one channel is used as red, green and blue.")
    if image.mode == "P":
        notes.append("Palette (indexed-colour) image converted to RGB.")
        # Palette images may carry transparency in their palette; expand it before flattening.
        image = image.convert("RGBA") if "transparency" in image.info else image.convert("RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        if rgba.getchannel("A").getextrema()[0] < 255:
            notes.append("Transparent areas placed on a white background.")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode == "CMYK":
        notes.append("CMYK colours converted to RGB.")
    return image.convert("RGB")


def load_image(data: bytes) -> LoadedImage:
    """Decode ``data`` into a :class:`LoadedImage`, or raise :class:`ImageInputError` with a clear message."""
    if not data:
        raise ImageInputError(f"The file is empty (0 bytes). Upload a {ACCEPTED_TEXT} file.")
    if len(data) > MAX_BYTES:
        raise ImageInputError(f"The file is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB.")
    _reject_known_non_images(data)
    image = _open(data)
    source_format = image.format or "unknown"
    _check_dimensions(*image.size)
    notes: list[str] = []
    frames = getattr(image, "n_frames", 1)
    if frames > 1:
        notes.append(f"Animated {source_format} with {frames} frames: the first frame is used.")
    original_size = image.size
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        # Let the JPEG decoder skip detail we would throw away anyway (a 2x/4x/8x faster decode).
        image.draft(None, (WORKING_SIDE, WORKING_SIDE))
        ImageOps.exif_transpose(image, in_place=True)  # decodes the pixels
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ImageInputError(
            f"The {source_format} file is damaged or truncated and cannot be decoded. "
            f"Try re-saving it, or upload another {ACCEPTED_TEXT} file."
        ) from None
    if orientation in _TRANSPOSING_ORIENTATIONS:
        original_size = original_size[::-1]
    if orientation in _EXIF_ORIENTATIONS:
        notes.append("Rotated upright as its EXIF orientation tag asks.")
    rgb = _to_rgb(image, notes)
    if max(rgb.size) > WORKING_SIDE:
        rgb.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.LANCZOS)
    if rgb.size != original_size:
        width, height = original_size
        notes.append(f"Downscaled from {width}×{height} to {rgb.size[0]}×{rgb.size[1]} pixels.")
    return LoadedImage(rgb, digest_of(data), source_format, original_size, tuple(notes))


def fit(image: Image.Image, side: int) -> Image.Image:
    """A copy no larger than ``side`` on its long side, for display (browsers get what they show)."""
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    return copy


def contact_sheet(images: list[Image.Image], columns: int, cell: int = 256, gap: int = 8) -> Image.Image:
    """The images in a grid on white, each fitted into a ``cell``-pixel square (for downloading a grid)."""
    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (columns * (cell + gap) + gap, rows * (cell + gap) + gap), "white")
    for index, image in enumerate(images):
        small = fit(image, cell)
        row, column = divmod(index, columns)
        x = gap + column * (cell + gap) + (cell - small.width) // 2
        y = gap + row * (cell + gap) + (cell - small.height) // 2
        sheet.paste(small, (x, y))
    return sheet


def display_jpeg(image: Image.Image, side: int, quality: int = 88) -> bytes:
    """The image fitted to ``side`` and encoded once as JPEG: cached as bytes, Streamlit sends them as they are.

    Handing st.image a picture instead makes it re-encode on every rerun, for every session.
    """
    buffer = io.BytesIO()
    fit(image, side).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def decode_jpeg(data: bytes) -> Image.Image:
    """Back from display_jpeg's bytes (for building a download from what is shown)."""
    return Image.open(io.BytesIO(data)).convert("RGB")


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
