"""A real OpenID provider on loopback for the OAuth tests: `oidc-provider` from npm
(scripts/hosted-tools), with client credentials, resource indicators and JWT access tokens;
and the MCP Inspector's command line from the same install.

Its test clients: `support-app` (orders:read and orders:personal), `reader-app`
(orders:read), `personal-only-app` (orders:personal), `expired-app` (orders:read, its tokens
signed as issued an hour ago); each one's secret is `<id>-secret`.
Every start makes a new signing key, so `restart` is a key rotation at the issuer.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import pytest

from . import free_port

__all__ = ["INSPECTOR", "Issuer", "install_tools", "start_issuer"]

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "scripts" / "hosted-tools"
SCRIPT = TOOLS / "provider.mjs"
INSTALL = ROOT / "scripts" / "install-hosted-tools.sh"
INSPECTOR = (
    TOOLS
    / "node_modules"
    / "@modelcontextprotocol"
    / "inspector"
    / "clients"
    / "launcher"
    / "build"
    / "index.js"
)


@dataclass
class Issuer:
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    kid: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        node = shutil.which("node")
        if node is None:
            pytest.fail("node is missing: the OAuth tests run oidc-provider on Node >= 20")
        self.process = subprocess.Popen(
            [node, str(SCRIPT), str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line: list[str] = []
        assert self.process.stdout is not None
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline()))
        reader.start()
        reader.join(30)
        words = (line[0] if line else "").split()
        if len(words) != 4 or words[0] != "issuer":
            self.stop()
            pytest.fail(f"oidc-provider did not start: {line!r}")
        self.kid = words[3]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def restart(self) -> None:
        """The same issuer with a new signing key (the old one no longer published)."""
        self.stop()
        self.start()

    def token(self, resource: str, client: str = "support-app", scope: str = "orders:read") -> str:
        """An access token by the client credentials grant, for `resource` (RFC 8707)."""
        response = httpx2.post(
            f"{self.url}/token",
            data={"grant_type": "client_credentials", "scope": scope, "resource": resource},
            auth=(client, f"{client}-secret"),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


def install_tools() -> None:
    if not (TOOLS / "node_modules" / "oidc-provider").is_dir() or not INSPECTOR.is_file():
        subprocess.run(["bash", str(INSTALL)], check=True, timeout=300)


def start_issuer() -> Issuer:
    install_tools()
    issuer = Issuer()
    issuer.start()
    return issuer
