"""A Web API request's arguments and token, read as Slack reads what slack_sdk sends."""

from __future__ import annotations

import contextlib
import json
from base64 import b64decode
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

JSON_FIELDS = ("blocks", "view", "attachments", "files", "metadata")  # JSON even inside a form


def parse_request(
    body: bytes, content_type: str, query: str = "", authorization: str = ""
) -> tuple[dict[str, Any], str | None]:
    """The call's arguments (query string, then a form, JSON or multipart body) and its token (the Bearer
    header's, else the `token` argument); an app's Basic credentials become `client_id` and `client_secret`."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if content_type.startswith("application/json"):
        loaded = json.loads(body or b"{}")  # a malformed body is a bug in the caller: it fails loudly
        params.update(loaded if isinstance(loaded, dict) else {})
    elif content_type.startswith("multipart/form-data"):
        msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        for part in msg.iter_parts():
            data: bytes = part.get_payload(decode=True)  # type: ignore[assignment]
            name = str(part.get_param("name", header="content-disposition"))
            params[name] = data if part.get_filename() else data.decode()
    else:
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for key in JSON_FIELDS:
        if isinstance(params.get(key), str):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    if authorization.startswith("Basic "):  # oauth.v2.access: the app's credentials
        client_id, _, client_secret = b64decode(authorization[len("Basic ") :]).decode().partition(":")
        params.update(client_id=client_id, client_secret=client_secret)
    return params, bearer(authorization) or params.get("token")


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header."""
    return authorization[len("Bearer ") :] if authorization and authorization.startswith("Bearer ") else None
