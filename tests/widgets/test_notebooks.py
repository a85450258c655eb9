"""Both notebooks run top to bottom on the sandbox, and are committed without outputs."""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ..helpers import sandbox_app
from ..helpers.loopback import serve_loopback
from ..helpers.providers import Credentials, provider_env

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = ["explore_orders.ipynb", "partner_demo.ipynb"]
SANDBOX_LINE = "Sandbox data: PressOne and Zim demo orders"
LIVE_LINE = "Live orders from PressOne and Zim"


@pytest.fixture
def sandbox_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel inherits this environment: the sandbox, and no credential of a developer."""
    for name in list(os.environ):
        if name.startswith(("ESIM_ORDERS_", "PRESSONE_", "ZIM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ESIM_ORDERS_PROVIDERS", "sandbox")
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    # The "python3" kernelspec runs `python` from PATH: make it this interpreter.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


def _executed(name: str) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    return notebook


def _page_text(notebook: nbformat.NotebookNode) -> str:
    """What the page shows in words: its markdown, and the text of the HTML its cells
    output (no stylesheet, no markup)."""
    parts = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            shown = output.get("data", {}).get("text/html", "")
            shown = re.sub(r"<style>.*?</style>|<[^>]+>", " ", shown, flags=re.DOTALL)
            parts += [html.unescape(shown), output.get("text", "")]
    return "\n".join(parts)


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_valid_and_stripped(name: str) -> None:
    """Stripped outputs: no stale widget state for GitHub to refuse, no data in git."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source
    assert "widgets" not in notebook.metadata


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(name: str, sandbox_env: None) -> None:
    notebook = _executed(name)
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"], "stderr shows as a red box"
    widgets = [
        o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert widgets, "the explorer is shown"
    # Every widget carries a static copy, so the executed notebook renders without a kernel.
    assert all('class="eo-view"' in o["data"]["text/html"] for o in widgets)
    assert any("<table" in o["data"]["text/html"] for o in widgets) or name == "partner_demo.ipynb"
    if name == "explore_orders.ipynb":
        # `explorer.page` is a plain view model: its HTML comes from the display formatters.
        views = [o for o in outputs if o not in widgets and "text/html" in o.get("data", {})]
        assert any('class="eo-view"' in o["data"]["text/html"] for o in views)
    if name == "partner_demo.ipynb":
        page = _page_text(notebook)
        assert SANDBOX_LINE in page and "Live orders" not in page


def test_the_demo_states_live_data_when_providers_are_configured(
    sandbox_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With credentials set (a sandbox on loopback standing in for the real providers), the
    page says the orders are live and nothing on it speaks of a sandbox."""
    with serve_loopback(sandbox_app(orders=20)) as provider:
        for variable, value in provider_env(provider.origin, Credentials()).items():
            monkeypatch.setenv(variable, value)
        page = _page_text(_executed("partner_demo.ipynb"))
    assert LIVE_LINE in page
    assert "sandbox" not in page.lower() and "demo data" not in page.lower()
