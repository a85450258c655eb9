"""The partner demo as a person sees it: Voila serves it, headless Chromium clicks through it.

Skipped where Chromium, Playwright or Voila is missing, except in CI (`CI` set), where a
missing browser fails the run: `scripts/install-browser.sh` installs Debian's `chromium`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from ..helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"  # git-ignored
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--dns-prefetch-disable",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
VISIBLE_ROWS = (
    "() => [...document.querySelectorAll('.eo-row:not(.eo-head)')].filter(r => r.offsetParent)"
)
ALL_FAILED = f"""() => {{
  const rows = ({VISIBLE_ROWS})();
  return rows.length > 0 && rows.every(r => {{
    const badge = r.querySelector('.eo-badge');
    return badge && badge.textContent.startsWith('FAILED');
  }});
}}"""


def need(ok: bool, why: str) -> None:
    """Skip on a developer's machine without the tool; fail in CI, where it must be there."""
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{why} (CI must run the browser test: scripts/install-browser.sh)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def voila() -> Iterator[str]:
    """Voila serving notebooks/partner_demo.ipynb on the sandbox, on a free loopback port."""
    need(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}")
    need(shutil.which("voila") is not None or _has_module("voila"), "voila is not installed")
    need(_has_module("playwright"), "playwright (the pip package) is not installed")
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ESIM_ORDERS_", "PRESSONE_", "ZIM_"))
    }
    env.update({"ESIM_ORDERS_PROVIDERS": "sandbox", "JUPYTER_PLATFORM_DIRS": "1"})
    # Voila's kernels run `python` from PATH (the "python3" kernelspec): this interpreter.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    log = (SCREENSHOTS / "voila.log") if SCREENSHOTS.is_dir() else None
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voila",
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--VoilaConfiguration.allow_theme_override=YES",
            "notebooks/partner_demo.ipynb",
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w") if log else subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(port, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:  # pragma: no cover - only when voila hangs
            process.kill()


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float = 40) -> None:
    """Voila listens once it is ready; a plain connect avoids starting a kernel to find out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"voila exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.2)
        else:
            return
    pytest.fail("voila did not start in time")


class PageErrors:
    """JavaScript errors of a page, minus the ones we caused on purpose and can name."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.blocked: set[str] = set()

    def block_the_internet(self, route: object) -> None:
        """Only loopback may be reached. Voila's template links Font Awesome from a CDN; the
        page bundles the icons it uses, so it renders the same without it."""
        request = route.request  # type: ignore[attr-defined]
        if urlparse(request.url).hostname in LOCAL_HOSTS:
            route.continue_()  # type: ignore[attr-defined]
        else:
            self.blocked.add(request.url)
            route.abort()  # type: ignore[attr-defined]

    def on_console(self, message: object) -> None:
        if message.type != "error":  # type: ignore[attr-defined]
            return
        url = (message.location or {}).get("url", "")  # type: ignore[attr-defined]
        if url in self.blocked and message.text.startswith("Failed to load resource"):  # type: ignore[attr-defined]
            return
        self.errors.append(f"console: {message.text} ({url})")  # type: ignore[attr-defined]

    def on_pageerror(self, error: object) -> None:
        self.errors.append(f"pageerror: {error}")


#: Words of an element's text drawn over more than one line: a word cut mid-word. Hyphens
#: and slashes are break opportunities of their own, so the parts between them are the words.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s\\-\\/]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()]
          .filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""
#: Where the explorer's table pane and detail pane are drawn (px, relative to the page).
PANES = """() => {
  const box = s => document.querySelector(s).getBoundingClientRect();
  const [table, detail, row] = [box('.eo-table-pane'), box('.eo-detail'), box('.eo-explorer')];
  return {table: [table.left, table.top, table.right, table.bottom, table.width],
          detail: [detail.left, detail.top, detail.width], row: row.width};
}"""
WIDTHS = (1440, 1024)
FAILED_TILE_IS_THE_TOTAL = """() => {
  const total = document.querySelector('.eo-table-pane').innerText.match(/ of ([\\d,]+),/);
  const tile = document.querySelector('.eo-kpi[data-kpi="failed"] .eo-kpi-value');
  return Boolean(total && tile) && tile.textContent.trim() === total[1];
}"""


def _before_a_selection(page: object, width: int) -> None:
    """The empty detail pane takes no room: the table has the whole width."""
    page.set_viewport_size({"width": width, "height": 2000})  # type: ignore[attr-defined]
    panes = page.evaluate(PANES)  # type: ignore[attr-defined]
    assert panes["detail"][2] <= panes["table"][4], (width, panes)
    assert panes["table"][4] >= 0.95 * panes["row"], (width, panes)


def _with_an_order_open(page: object, width: int, shot: Path) -> None:
    """The card beside the table where both fit (1440), below it where not (1024); no word of
    the card or its escalation note is cut in two."""
    page.set_viewport_size({"width": width, "height": 2000})  # type: ignore[attr-defined]
    page.wait_for_timeout(150)  # type: ignore[attr-defined]
    panes = page.evaluate(PANES)  # type: ignore[attr-defined]
    table_left, table_top, table_right, table_bottom, _ = panes["table"]
    left, top, card_width = panes["detail"]
    if width >= 1440:
        assert left >= table_right - 1 and abs(top - table_top) < 2, panes
        assert card_width >= 440, panes  # a card, not a long narrow column
    else:
        assert top >= table_bottom - 1 and abs(left - table_left) < 2, panes
    note = ".eo-failure-card details pre"
    assert page.inner_text(note).startswith("Subject:")  # type: ignore[attr-defined]
    cut = page.evaluate(BROKEN_WORDS, f"{note}, .eo-detail dl.eo-facts dd")  # type: ignore[attr-defined]
    assert cut == [], (width, cut)
    page.screenshot(path=str(shot), full_page=True)  # type: ignore[attr-defined]


def test_partner_demo_in_a_real_browser(voila: str) -> None:
    """Light and dark, each at 1440 and 1024 px: the rows, KPI tiles and charts, a failed
    order opened beside or below the table, and the dark theme's date pickers."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            for theme in ("light", "dark"):
                page = browser.new_page(viewport={"width": 1440, "height": 2000})
                seen = PageErrors()
                page.route("**/*", seen.block_the_internet)
                page.on("console", seen.on_console)
                page.on("pageerror", seen.on_pageerror)
                page.goto(f"{voila}?theme={theme}", wait_until="domcontentloaded")

                page.wait_for_selector(".eo-row:not(.eo-head) button.eo-ref", timeout=60_000)
                assert page.evaluate(f"({VISIBLE_ROWS})().length") == 20
                page.wait_for_selector(".eo-charts svg", timeout=30_000)
                page.wait_for_selector('.eo-kpi[data-kpi="today"]', timeout=30_000)
                assert "PressOne" in page.inner_text(".eo-explorer")
                assert "Sandbox data" in page.inner_text(".eo-source")
                for width in WIDTHS:
                    _before_a_selection(page, width)
                scheme = page.evaluate(
                    "() => getComputedStyle(document.querySelector('input[type=date]')).colorScheme"
                )
                assert (scheme == "dark") == (theme == "dark"), scheme  # the icon reads

                page.set_viewport_size({"width": 1440, "height": 2000})
                page.select_option(".eo-filter-status select", label="Failed")
                page.wait_for_function(ALL_FAILED, timeout=30_000)
                # The Failed tile counts what the listing's total says (a timeout if never).
                page.wait_for_function(FAILED_TILE_IS_THE_TOTAL, timeout=30_000)
                first = page.locator(".eo-row:not(.eo-head) button.eo-ref").first
                ref = first.inner_text().strip()
                first.click()
                page.wait_for_selector(".eo-failure-card .eo-card", timeout=30_000)
                assert ref in page.inner_text(".eo-order-card")
                explanation = page.inner_text(".eo-failure-card")
                assert ref in explanation and "Likely cause" in explanation
                assert "Next steps" in explanation
                page.click(".eo-failure-card details summary")
                for width in WIDTHS:
                    _with_an_order_open(
                        page, width, SCREENSHOTS / f"partner_demo_{theme}_{width}.png"
                    )
                page.click(".eo-detail .eo-close")
                page.wait_for_function(
                    "() => document.querySelector('.eo-detail').getBoundingClientRect().width === 0"
                )
                page.close()
                assert not seen.errors, seen.errors
        finally:
            browser.close()
