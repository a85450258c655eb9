"""The sandbox package's boundary: its public names, and nothing imported from the client side."""

from __future__ import annotations

import ast
import shutil
from importlib.util import resolve_name
from pathlib import Path

import pytest

import esim_orders.sandbox as sandbox_package

SANDBOX_DIR = Path(sandbox_package.__file__).parent
PACKAGE_ROOT = SANDBOX_DIR.parent.parent


def test_public_names_are_exactly_the_integration_surface():
    assert sorted(sandbox_package.__all__) == [
        "AppOnFirstRequest",
        "SANDBOX_CLIENT_ID",
        "SANDBOX_CLIENT_SECRET",
        "Sandbox",
        "SandboxConfig",
        "create_app",
        "in_process_transport",
        "serve",
    ]
    assert sandbox_package.SANDBOX_CLIENT_ID == "sandbox"
    assert sandbox_package.SANDBOX_CLIENT_SECRET == "sandbox-secret"


def imports_beyond_the_sandbox(root: Path) -> list[str]:
    """Every import, in the modules under `root` (a copy of the package tree, `root` holding
    `esim_orders/`), of a project module outside `esim_orders.sandbox`; relative imports are
    resolved against the importing module's package."""
    found = []
    for path in sorted((root / "esim_orders" / "sandbox").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        package = ".".join(parts[:-1])  # a module's package; an __init__'s is its own
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = resolve_name("." * node.level + (node.module or ""), package)
                names = [f"{base}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                inside = name == "esim_orders.sandbox" or name.startswith("esim_orders.sandbox.")
                if (name == "esim_orders" or name.startswith("esim_orders.")) and not inside:
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {name}")
    return found


def test_sandbox_imports_nothing_from_the_rest_of_the_package():
    """It sits on the far side of HTTP: sharing code with the client would hide wire bugs."""
    assert len(list(SANDBOX_DIR.rglob("*.py"))) >= 10, "the scan found the sandbox's modules"
    assert imports_beyond_the_sandbox(PACKAGE_ROOT) == []


@pytest.mark.parametrize(
    ("module", "line", "caught"),
    [
        ("zim.py", "from ..client import errors", "esim_orders.client.errors"),
        ("zim.py", "from .. import models", "esim_orders.models"),
        ("zim.py", "from ..models import Order", "esim_orders.models.Order"),
        ("zim.py", "from esim_orders.client import transport", "esim_orders.client.transport"),
        ("zim.py", "import esim_orders.settings", "esim_orders.settings"),
        ("zim.py", "from esim_orders import models", "esim_orders.models"),
        ("__init__.py", "from .. import client", "esim_orders.client"),
        ("wire/pressone.py", "from ...client import errors", "esim_orders.client.errors"),
    ],
)
def test_the_boundary_check_catches_a_planted_import(
    tmp_path: Path, module: str, line: str, caught: str
):
    """The check above, run on a copy of the sandbox with one line planted in it."""
    copy = tmp_path / "esim_orders" / "sandbox"
    shutil.copytree(SANDBOX_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    target.parent.mkdir(parents=True, exist_ok=True)
    (target.parent / "__init__.py").touch()
    lines = target.read_text().splitlines() if target.exists() else []
    target.write_text("\n".join([*lines, line, ""]))
    assert imports_beyond_the_sandbox(tmp_path) == [
        f"esim_orders/sandbox/{module}:{len(lines) + 1}: {caught}"
    ]


@pytest.mark.parametrize(
    "line",
    [
        "from . import catalogue",
        "from .state import Sandbox",
        "from esim_orders.sandbox import config",
        "from esim_orders import sandbox",
        "import esim_orders.sandbox.faults",
    ],
)
def test_the_boundary_check_lets_the_sandbox_import_itself(tmp_path: Path, line: str):
    copy = tmp_path / "esim_orders" / "sandbox"
    shutil.copytree(SANDBOX_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "zim.py").write_text((copy / "zim.py").read_text() + line + "\n")
    assert imports_beyond_the_sandbox(tmp_path) == []
