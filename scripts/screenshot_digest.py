"""Screenshots of a sample digest in headless Chromium, and a check that it fits a phone.

    python scripts/screenshot_digest.py [--out DIR] [--chromium PATH] [--docs]

The samples are the golden files' messages (tests/test_render_golden.py: the
feeds of tests/golden/feeds polled three times by the real pipeline, with
real dates), plus a worst case built by hand (every kind of figure in the
summary, long words and long URLs). Each is rendered at 375 px (a phone) and
1024 px (a desktop client), in the light and the dark colour scheme, and
written as DIR/NAME-WIDTH-SCHEME.png (default DIR: build/screenshots/).

The check: at 375 px no page may scroll sideways (its scrollWidth must not
pass its width); the script exits with status 1 and names the page if one
does. `--docs` also writes docs/digest-1024-light.png, the top of the daily
digest shown in the README.

Chromium's headless window is never narrower than 500 px, so each message is
laid out in an <iframe> of the exact width (srcdoc, same origin, so its
document can be measured), and the screenshot is a window of that width.
Needs Debian's `chromium` (apt-get install -y chromium).
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

WIDTHS = (375, 1024)
SCHEMES = ("light", "dark")
PHONE = 375
DOCS_IMAGE = ROOT / "docs" / "digest-1024-light.png"
DOCS_HEIGHT = 1150
"""The README shows the top of the digest: header, summary and the first entries."""
MAX_HEIGHT = 12000
HARNESS = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>html, body {{ margin: 0; padding: 0; }}</style></head>
<body><iframe id="mail" width="{width}" height="{height}" scrolling="no"
style="border: 0; display: block;" srcdoc="{srcdoc}"></iframe>
<script>
const frame = document.getElementById("mail");
frame.addEventListener("load", () => {{
  const doc = frame.contentDocument.documentElement;
  document.body.setAttribute("data-layout", JSON.stringify({{
    width: doc.clientWidth,
    scrollWidth: doc.scrollWidth,
    height: Math.ceil(doc.getBoundingClientRect().height),
    dark: frame.contentWindow.matchMedia("(prefers-color-scheme: dark)").matches,
  }}));
}});
</script></body></html>
"""


def samples(tmp: Path) -> dict[str, str]:
    """The HTML of each sample message, by name."""
    from test_render import worst_case_digest  # noqa: PLC0415 - tests/ is on the path now
    from test_render_golden import run_pipeline  # noqa: PLC0415

    from notifier.render import make_environment, render_digest  # noqa: PLC0415

    out: dict[str, str] = {}
    for name, msg in run_pipeline(tmp):
        part = next(p for p in msg.walk() if p.get_content_type() == "text/html")
        out[name] = part.get_content()
    out["worst-case"] = render_digest(worst_case_digest(), make_environment()).html
    return out


class Chromium:
    """Headless Chromium with a throwaway profile, run once per page."""

    def __init__(self, binary: str, profile: Path) -> None:
        self.binary = binary
        self.profile = profile

    def run(self, page: Path, width: int, height: int, dark: bool, *args: str) -> str:
        """Open `page` in a window `width` x `height` px with `args`; return what it printed."""
        command = [
            self.binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={self.profile}",
            f"--window-size={width},{height}",
            "--virtual-time-budget=5000",
            *(["--force-dark-mode"] if dark else []),
            *args,
            page.as_uri(),
        ]
        # The command is ours: the binary the operator named, fixed flags, a page we wrote.
        done = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-500:]}")
        return done.stdout


def layout(chromium: Chromium, page: Path, width: int, dark: bool) -> dict[str, int | bool]:
    """The message's width, scroll width and height, laid out `width` px wide."""
    dom = chromium.run(page, max(width, 500), 800, dark, "--dump-dom")
    found = re.search(r'data-layout="([^"]*)"', dom)
    if found is None:
        raise RuntimeError(f"{page.name}: the page did not report its layout")
    result: dict[str, int | bool] = json.loads(html.unescape(found[1]))
    return result


def main() -> int:
    """Screenshot every sample at each width and scheme; 1 if a page scrolls sideways at 375 px."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--docs", action="store_true", help=f"also write {DOCS_IMAGE}")
    args = parser.parse_args()
    logging.disable(logging.ERROR)  # the sample's missing feed is expected to fail
    if not Path(args.chromium).exists():
        print(f"no Chromium at {args.chromium}: apt-get install -y chromium", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        chromium = Chromium(args.chromium, tmp / "profile")
        for name, message in samples(tmp / "pipeline").items():
            for width in WIDTHS:
                for scheme in SCHEMES:
                    dark = scheme == "dark"
                    page = tmp / f"{name}-{width}-{scheme}.html"
                    page.write_text(harness(message, width, MAX_HEIGHT), encoding="utf-8")
                    found = layout(chromium, page, width, dark)
                    if found["dark"] != dark:
                        problems.append(f"{page.name}: Chromium did not apply the {scheme} scheme")
                    if width == PHONE and int(found["scrollWidth"]) > int(found["width"]):
                        problems.append(
                            f"{name} at {width} px ({scheme}) scrolls sideways: "
                            f"{found['scrollWidth']} px wide in {found['width']} px"
                        )
                    height = min(int(found["height"]), MAX_HEIGHT)
                    page.write_text(harness(message, width, height), encoding="utf-8")
                    png = args.out / f"{name}-{width}-{scheme}.png"
                    chromium.run(page, width, height, dark, f"--screenshot={png}")
                    print(f"{png}  ({width}x{height}, scroll width {found['scrollWidth']})")
                    if args.docs and name == "daily" and width == 1024 and not dark:
                        DOCS_IMAGE.parent.mkdir(exist_ok=True)
                        chromium.run(page, width, DOCS_HEIGHT, dark, f"--screenshot={DOCS_IMAGE}")
                        print(f"{DOCS_IMAGE}  ({DOCS_IMAGE.stat().st_size // 1024} KB)")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    if not problems:
        print(f"ok: no page scrolls sideways at {PHONE} px")
    return 1 if problems else 0


def harness(message: str, width: int, height: int) -> str:
    """A page holding the message in an iframe exactly `width` px wide."""
    return HARNESS.format(width=width, height=height, srcdoc=html.escape(message, quote=True))


if __name__ == "__main__":
    sys.exit(main())
