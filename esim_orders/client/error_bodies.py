"""Provider error answers, whatever their shape, turned into the package's typed errors."""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDenied,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    RequestRejected,
)
from ..text import clean_provider_text

# Provider text is untrusted: every message we keep is cleaned and capped.
MESSAGE_CAP = 300

_BY_STATUS: dict[int, type[ProviderError]] = {
    400: RequestRejected,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFoundError,
    405: NotFoundError,
    409: RequestRejected,
    422: RequestRejected,
    429: RateLimited,
}

_REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "x-correlation-id", "request-id")
# Both stop at the next "<": a page of thousands of "<" or "<title>" costs linear time, not
# quadratic (a 1 MB hostile error page would otherwise take minutes).
_TAGS = re.compile(r"<[^<>]*>")
_TITLE = re.compile(r"<title[^<>]*>([^<]*)</title>", re.IGNORECASE)


def error_class_for(status: int) -> type[ProviderError]:
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ProviderUnavailable
    return ProviderError


def parse_error_body(body: bytes, content_type: str = "") -> tuple[str | None, str | None]:
    """(code, message) from any error body the providers are known or feared to send.

    Knows PressOne's `{success, code, message}`, the upstream `{code, reason}`, the upstream
    validation `{data: {field: msg}, meta: {message}}`, OAuth's `{error, error_description}`,
    `{message}`/`{error: {...}}` shapes, plain text and HTML pages.
    """
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return None, None
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        payload = None
    if isinstance(payload, dict):
        return _from_json(payload)
    if payload is not None:
        return None, clean_provider_text(text, MESSAGE_CAP)
    if "html" in content_type or text.lstrip().lower().startswith(("<!doctype", "<html")):
        title = _TITLE.search(text)
        shown = title.group(1) if title else _TAGS.sub(" ", text)
        return None, clean_provider_text("HTML page: " + shown, MESSAGE_CAP)
    return None, clean_provider_text(text, MESSAGE_CAP)


def _from_json(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    code = payload.get("code")
    message = payload.get("message") or payload.get("reason")
    error = payload.get("error")
    if isinstance(error, dict):
        code = code or error.get("code")
        message = message or error.get("message")
    elif isinstance(error, str):
        code = code or error
        message = message or payload.get("error_description") or error
    meta = payload.get("meta")
    data = payload.get("data")
    if not message and isinstance(meta, dict):
        message = meta.get("message")
    if isinstance(data, dict) and data and all(isinstance(v, str) for v in data.values()):
        # Upstream validation errors name the fields; keep them, they say what to fix.
        details = "; ".join(f"{k}: {v}" for k, v in data.items())
        message = f"{message}: {details}" if message else details
    code_text = None if code is None or isinstance(code, dict | list) else str(code)
    msg_text = None if message is None else clean_provider_text(str(message), MESSAGE_CAP)
    return (clean_provider_text(code_text, 40) if code_text else None), msg_text


def request_id_from(headers: Any) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return clean_provider_text(value, 80)
    return None


def error_from_response(
    provider: str,
    status: int,
    headers: Any,
    body: bytes,
    *,
    retry_after: float | None = None,
) -> ProviderError:
    code, message = parse_error_body(body, headers.get("content-type", ""))
    cls = error_class_for(status)
    kwargs: dict[str, Any] = {
        "status": status,
        "code": code,
        "request_id": request_id_from(headers),
    }
    text = message or _DEFAULT_MESSAGES.get(status, "unexpected answer")
    if cls is RateLimited:
        return RateLimited(provider, text, retry_after=retry_after, **kwargs)
    return cls(provider, text, **kwargs)


_DEFAULT_MESSAGES = {
    400: "bad request",
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    422: "unprocessable request",
    429: "too many requests",
    500: "internal server error",
    502: "bad gateway",
    503: "service unavailable",
    504: "gateway timeout",
}
