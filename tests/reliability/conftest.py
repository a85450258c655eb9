"""The reliability suite's setup: its shared pieces (servers over a steerable sandbox, in
process or on loopback HTTP, and real server processes) live in tests/helpers."""

from __future__ import annotations

import jsonschema  # noqa: F401 - the MCP client loads it (~1 s) on its first tool result
