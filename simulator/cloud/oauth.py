"""``POST /oauth2/token`` (§1.2 of ``docs/cloud.md``): the password grant with the MD5
password (``clientId``/``clientSecret`` or ``client_id``/``client_secret`` +
``grant_type``) and the refresh grant (``grant_type=refresh_token``)."""

from __future__ import annotations

from typing import Any

from ..codes import CloudError
from ..entities import Token
from .registry import POST_ONLY, ApiRequest, api


def _token_json(token: Token) -> dict[str, Any]:
    return {
        "access_token": token.access_token,
        "uid": token.uid,
        "refresh_token": token.refresh_token,
        "expires_in": token.expires_in,
        "scope": "user,key,room",
        "token_type": "Bearer",
    }


@api("oauth2/token", methods=POST_ONLY, authenticated=False)
async def oauth2_token(req: ApiRequest) -> dict[str, Any]:
    secret = req.params.get("clientSecret") or req.params.get("client_secret") or ""
    if secret != req.app.client_secret:
        raise CloudError(10001, "the client secret does not match the clientId")
    grant_type = req.params.get("grant_type") or "password"
    if grant_type == "password":
        username = req.text("username")
        password = req.text("password")
        token = req.world.login(req.app, username, password, req.region)
    elif grant_type == "refresh_token":
        refresh_token = req.params.get("refresh_token") or ""
        if not refresh_token:
            raise CloudError(10011, "refresh_token is required")
        token = req.world.refresh(req.app, refresh_token)
    else:
        raise CloudError(-3, f"unsupported grant_type {grant_type!r}")
    return _token_json(token)
