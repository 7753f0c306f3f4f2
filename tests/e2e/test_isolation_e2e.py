"""Two students at once: neither ever sees the other's upload or results, caches included."""

import io

from PIL import Image, ImageStat

from .conftest import assert_no_exception, open_app, sample_captions, settle, upload

RED, BLUE = (200, 30, 30), (30, 30, 200)


def same_named_photo(folder, colour, size) -> str:
    """Both students upload a file called photo.png: only the bytes tell them apart (as the caches must)."""
    folder.mkdir()
    path = folder / "photo.png"
    Image.new("RGB", size, colour).save(path)
    return str(path)


def sidebar_colour(page) -> tuple[float, ...]:
    """Mean colour of the sidebar preview as the browser shows it."""
    shot = page.locator("[data-testid='stSidebar'] [data-testid='stImage'] img").first.screenshot()
    return tuple(ImageStat.Stat(Image.open(io.BytesIO(shot)).convert("RGB")).mean)


def assert_sees_own(page, colour, size) -> None:
    assert_no_exception(page)
    assert page.get_by_text(f"photo.png: {size[0]}×{size[1]} px").is_visible()
    seen = sidebar_colour(page)
    assert all(abs(a - b) < 25 for a, b in zip(seen, colour)), (seen, colour)


def test_two_sessions_with_same_named_uploads_stay_apart(browser, server, tmp_path):
    """A uploads a red photo.png, B a blue one at the same time; each keeps seeing only its own, also after reruns."""
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    try:
        a, b = (context.new_page() for context in contexts)
        for page in (a, b):
            page.set_default_timeout(120_000)
            open_app(page, f"{server}/augmentation_studio")
        upload(a, same_named_photo(tmp_path / "a", RED, (300, 200)))
        upload(b, same_named_photo(tmp_path / "b", BLUE, (240, 360)))
        assert_sees_own(a, RED, (300, 200))
        assert_sees_own(b, BLUE, (240, 360))
        for page, seed in ((a, "5"), (b, "5")):  # the same seed: only the image may tell the grids apart
            page.get_by_label("Seed").fill(seed)
            page.get_by_label("Seed").press("Enter")
            settle(page)
        assert sample_captions(a) != sample_captions(b)  # crop windows follow each image's own size
        assert_sees_own(a, RED, (300, 200))
        assert_sees_own(b, BLUE, (240, 360))
    finally:
        for context in contexts:
            context.close()
