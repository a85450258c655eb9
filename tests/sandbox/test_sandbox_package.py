"""The sandbox package's boundary: its public names, and nothing imported from the client side."""

from __future__ import annotations

import ast
from pathlib import Path

import esim_orders.sandbox as sandbox_package

SANDBOX_DIR = Path(sandbox_package.__file__).parent


def test_public_names_are_exactly_the_integration_surface():
    assert sorted(sandbox_package.__all__) == [
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


def test_sandbox_imports_nothing_from_the_rest_of_the_package():
    """It sits on the far side of HTTP: sharing code with the client would hide wire bugs."""
    for module in SANDBOX_DIR.glob("*.py"):
        tree = ast.parse(module.read_text(), filename=str(module))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name == "esim_orders" or name.startswith("esim_orders."):
                    assert name.startswith("esim_orders.sandbox"), f"{module.name}: {name}"
