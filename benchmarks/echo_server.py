"""The baseline server: a bare `MCPServer` with one echo tool, over stdio or streamable HTTP.

`python benchmarks/echo_server.py` serves stdio; `--http [--stateless]` serves streamable HTTP
with uvicorn the way `esim-orders serve --http` does, and prints `serving MCP at <url>`.
Nothing from esim_orders is imported: this is what the SDK costs on its own.
"""

from __future__ import annotations

import argparse
import socket
import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer("echo")


@server.tool()
def echo(text: str) -> str:
    """Say it back."""
    return text


def serve_http(stateless: bool) -> None:
    import uvicorn

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(2048)
    app = server.streamable_http_app(
        streamable_http_path="/mcp", stateless_http=stateless, json_response=stateless
    )
    config = uvicorn.Config(
        app, lifespan="on", log_config=None, access_log=False, server_header=False
    )
    port = listener.getsockname()[1]
    print(f"echo: serving MCP at http://127.0.0.1:{port}/mcp", file=sys.stderr, flush=True)
    uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--stateless", action="store_true")
    args = parser.parse_args()
    if args.http:
        serve_http(args.stateless)
    else:
        server.run("stdio")
