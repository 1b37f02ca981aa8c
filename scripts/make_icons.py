"""Draw the app icons (static/icons/) from the brand mark: a blue-to-plum square with a white and
a yellow dot. Run once after changing the design: ``python scripts/make_icons.py``."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
SCALE = 4  # draw large, then shrink: smooth edges


def _gradient(size: int) -> Image.Image:
    start, end = (0x2F, 0x8F, 0xD0), (0xA4, 0x33, 0x7A)
    img = Image.new("RGB", (size, size))
    px = img.load()
    for y in range(size):
        for x in range(size):
            t = (x + y) / (2 * (size - 1))
            px[x, y] = tuple(round(a + (b - a) * t) for a, b in zip(start, end, strict=True))
    return img


def mark(size: int, *, maskable: bool = False, monochrome: bool = False) -> Image.Image:
    big = size * SCALE
    if monochrome:
        canvas = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    else:
        canvas = _gradient(big // 8).resize((big, big), Image.BICUBIC).convert("RGBA")
    if not maskable and not monochrome:  # rounded square; a maskable icon fills the whole square
        mask = Image.new("L", (big, big), 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=255)
        canvas.putalpha(mask)
    draw = ImageDraw.Draw(canvas)
    # the dots sit inside the maskable safe zone (the central 80 % circle)
    r = big * (0.15 if maskable else 0.18)
    for cx, cy, colour in ((0.36, 0.36, (255, 255, 255, 255)), (0.64, 0.64, (255, 191, 71, 255))):
        if monochrome:
            colour = (255, 255, 255, 255)
        draw.ellipse((cx * big - r, cy * big - r, cx * big + r, cy * big + r), fill=colour)
    if not monochrome:
        w = max(2, big // 40)
        draw.line((0.36 * big, 0.36 * big, 0.64 * big, 0.64 * big), fill=(255, 255, 255, 200), width=w)
    return canvas.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (48, 72, 96, 144, 192, 512):
        mark(size).save(OUT / f"icon-{size}.png", optimize=True)
    for size in (192, 512):
        mark(size, maskable=True).convert("RGB").save(OUT / f"maskable-{size}.png", optimize=True)
    mark(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    mark(96, monochrome=True).save(OUT / "badge-96.png", optimize=True)


if __name__ == "__main__":
    main()
