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


def test_partner_demo_in_a_real_browser(voila: str) -> None:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            for theme, shot in (("light", "partner_demo.png"), ("dark", "partner_demo_dark.png")):
                page = browser.new_page(viewport={"width": 1440, "height": 2000})
                seen = PageErrors()
                page.route("**/*", seen.block_the_internet)
                page.on("console", seen.on_console)
                page.on("pageerror", seen.on_pageerror)
                page.goto(f"{voila}?theme={theme}", wait_until="domcontentloaded")

                page.wait_for_selector(".eo-row:not(.eo-head) button.eo-ref", timeout=60_000)
                assert page.evaluate(f"({VISIBLE_ROWS})().length") == 20
                page.wait_for_selector(".eo-charts svg", timeout=30_000)
                assert "PressOne" in page.inner_text(".eo-explorer")

                page.select_option(".eo-filter-status select", label="Failed")
                page.wait_for_function(ALL_FAILED, timeout=30_000)
                first = page.locator(".eo-row:not(.eo-head) button.eo-ref").first
                ref = first.inner_text().strip()
                first.click()
                page.wait_for_selector(".eo-failure-card .eo-card", timeout=30_000)
                assert ref in page.inner_text(".eo-order-card")
                explanation = page.inner_text(".eo-failure-card")
                assert ref in explanation and "Likely cause" in explanation
                assert "Next steps" in explanation

                page.wait_for_timeout(300)  # let the last paint land before the picture
                # Voila scrolls an inner panel, so the viewport is made tall enough for the page.
                page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
                page.close()
                assert not seen.errors, seen.errors
        finally:
            browser.close()
