"""Access tokens from the sandbox's own token endpoints, asked for over HTTP as a client would."""

from __future__ import annotations

import httpx2

from . import TOKEN_FORM

__all__ = ["pressone_token", "zim_token"]


async def pressone_token(client: httpx2.AsyncClient) -> str:
    response = await client.post("/pressone/customer/v2/token", data=TOKEN_FORM)
    assert response.status_code == 200, response.text
    body = response.json()
    return (body["data"].get("data") or body["data"])["access_token"]


async def zim_token(client: httpx2.AsyncClient) -> str:
    response = await client.post("/zim/oauth2/token", data=TOKEN_FORM)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]
