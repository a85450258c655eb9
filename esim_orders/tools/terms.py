"""The words a face uses for the tools' arguments and the tools themselves, so that errors and
hints read in its own terms: `cursor` over MCP, `--cursor` on the command line, "Page" in
the explorer. Messages name them as `{cursor}`; a face renders them with its `Terms`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..failures.catalogue import TOOL_NAMES

__all__ = ["MCP", "Terms"]

_NAME = re.compile(r"\{([a-z_]+)\}")
# The tools advice names as `{tool}`: each face says them as its users reach the same thing
# (a command line's command, the explorer's table).
_TOOL = re.compile(r"\{(" + "|".join(sorted(TOOL_NAMES)) + r")\}")


@dataclass(frozen=True)
class Terms:
    """How one face names arguments and tools; a name it does not map is said as it is."""

    names: Mapping[str, str] = field(default_factory=dict)
    #: The hint after a page with more: what to do with its `{cursor}`.
    next_page: str = "call list_orders again with cursor={cursor}"

    def name(self, name: str) -> str:
        return self.names.get(name, name)

    def word(self, message: str) -> str:
        """`message` with each `{name}` in this face's words; other braces are left alone."""
        return _NAME.sub(lambda found: self.name(found.group(1)), message)

    def tools(self, text: str) -> str:
        """`text` with each `{tool}` it names in this face's words; any other brace stays,
        so text quoted from a provider inside advice is never reworded."""
        return _TOOL.sub(lambda found: self.name(found.group(1)), text)

    def more(self, cursor: str) -> str:
        return self.next_page.replace("{cursor}", cursor)


#: The tools' own names: what a model calling them over MCP knows.
MCP = Terms()
