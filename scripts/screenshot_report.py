"""Screenshot an HTML report, the whole page, with headless Chromium (Debian's `chromium`).

    python scripts/screenshot_report.py REPORT.html OUT.png [--width 1200]
    python scripts/screenshot_report.py REPORT.html phone.png --width 390 --mobile
    python scripts/screenshot_report.py --fixture OUT.html    # write the test fixture's report

docs/report.png is `cxkit report -c sample_data/cxkit.toml -o report.html` at --width 1100.

Uses the DevTools driver of the tests (tests/browser.py): no Python dependency, network off.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import Browser, BrowserError  # noqa: E402


def screenshot(report: Path, out: Path, width: int = 1200,
               mobile: bool = False) -> tuple[int, int]:
    """Write a PNG of the whole page at `width` CSS pixels (as a phone shows it with `mobile`);
    return its (width, height)."""
    with Browser(width=width, height=800) as browser:
        page = browser.open(report)
        if mobile:
            page.set_viewport(width, 800, mobile=True)
        png = page.screenshot(full_page=True)
        size = page.evaluate("[document.documentElement.scrollWidth,"
                             " document.documentElement.scrollHeight]")
    out.write_bytes(png)
    return size[0], size[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the HTML report (or, with --fixture, where to "
                        "write the fixture's report)")
    parser.add_argument("out", type=Path, nargs="?", help="the PNG to write")
    parser.add_argument("--width", type=int, default=1200, help="viewport width in CSS pixels")
    parser.add_argument("--mobile", action="store_true",
                        help="emulate a phone (touch, mobile viewport) at that width")
    parser.add_argument("--fixture", action="store_true",
                        help="write tests/report_fixture.py's report as HTML to REPORT first")
    args = parser.parse_args(argv)
    if args.fixture:
        from report_fixture import make_report

        from cxkit.render.html import to_html

        args.report.write_text(to_html(make_report()), encoding="utf-8")
        if args.out is None:
            return 0
    if args.out is None:
        parser.error("OUT.png is required")
    if not args.report.is_file():
        parser.error(f"no such file: {args.report}")
    try:
        width, height = screenshot(args.report, args.out, args.width, args.mobile)
    except BrowserError as exc:
        print(f"screenshot_report: {exc}", file=sys.stderr)
        return 1
    print(f"{args.out}: {width} x {height}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
