"""Draw the app's icons (issue 13, part 3) into flashcards/static/icons/.

Run once after changing the artwork; the files it writes are committed:

    .venv/bin/python scripts/make_icons.py

The PNGs are rendered by Chromium (the one the browser tests use, through Playwright),
so no image library is needed. The "any" icon is the favicon's two cards on a rounded blue
tile; the maskable one fills the square and keeps the cards inside the middle 60 %, the
safe zone that every launcher's mask leaves visible.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "flashcards" / "static" / "icons"
CHROMIUM = "/usr/bin/chromium"

CARDS = ('<rect x="3" y="7" width="22" height="16" rx="3" fill="#c9dafc"/>'
         '<rect x="7" y="10" width="22" height="16" rx="3" fill="#ffffff"/>'
         '<path d="M13 18l3 3 6-7" stroke="#2f6fec" stroke-width="2.5" fill="none" '
         'stroke-linecap="round" stroke-linejoin="round"/>')


def artwork(maskable: bool) -> str:
    # The cards' box is x 3..29, y 7..26: centre it at (16, 16), then scale about it.
    scale = 0.6 if maskable else 0.78
    tile = ('<rect width="32" height="32" fill="#2f6fec"/>' if maskable
            else '<rect width="32" height="32" rx="7" fill="#2f6fec"/>')
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' + tile
            + f'<g transform="translate(16 16) scale({scale}) translate(-16 -16.5)">'
            + CARDS + "</g></svg>\n")


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "icon.svg").write_text(artwork(maskable=False))
    pngs = [("icon-192.png", 192, False), ("icon-512.png", 512, False),
            ("icon-maskable-192.png", 192, True), ("icon-maskable-512.png", 512, True),
            # iOS ignores the manifest's icons and masks this one itself: full bleed.
            ("apple-touch-icon.png", 180, True)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox"])
        for name, size, maskable in pngs:
            page = browser.new_page(viewport={"width": size, "height": size},
                                    device_scale_factor=1)
            svg = artwork(maskable).replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
            page.set_content('<html><body style="margin:0;background:transparent">'
                             + svg + "</body></html>")
            page.screenshot(path=str(ICONS / name), omit_background=True,
                            clip={"x": 0, "y": 0, "width": size, "height": size})
            page.close()
        browser.close()
    for path in sorted(ICONS.iterdir()):
        print(path.name, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
