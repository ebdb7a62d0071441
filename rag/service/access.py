"""Who may call the programmatic routes (/api, /v1, /mcp).

With an API key (BRIEFINGS_API_KEY), every call needs `Authorization: Bearer <key>`. Without
one, only loopback clients are answered, unless the service was bound to another address on
purpose (`--host`), which the log states. The page keeps its own login
(BRIEFINGS_USER / BRIEFINGS_PASSWORD); /healthz and /docs stay open.
"""
from __future__ import annotations

import hmac
import ipaddress
import json
from dataclasses import dataclass

PROTECTED = ("/api", "/v1", "/mcp")


@dataclass(frozen=True)
class Access:
    key: str = ""             # the bearer token required; "" = none
    loopback_only: bool = True

    def describe(self) -> str:
        """One line for the log: how /api, /v1 and /mcp are protected."""
        if self.key:
            return "API: /api, /v1 and /mcp need 'Authorization: Bearer <BRIEFINGS_API_KEY>'"
        if self.loopback_only:
            return "API: no BRIEFINGS_API_KEY set; /api, /v1 and /mcp answer loopback clients only"
        return ("API: no BRIEFINGS_API_KEY set and --host given; /api, /v1 and /mcp answer "
                "anyone who can reach this address")

    def refusal(self, headers: dict[bytes, bytes], client: str | None) -> tuple[int, str] | None:
        """(status, reason) when the request may not pass, else None."""
        if self.key:
            given = headers.get(b"authorization", b"").decode("latin-1")
            scheme, _, token = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), self.key):
                return 401, "missing or wrong API key: send 'Authorization: Bearer <key>'"
            return None
        if self.loopback_only and not _loopback(client):
            return 403, ("only loopback clients may call the API without BRIEFINGS_API_KEY; "
                         "set it (and send it as a Bearer token) to open the API")
        return None


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class AccessMiddleware:
    """ASGI middleware applying `Access` to the protected prefixes (streams pass untouched)."""

    def __init__(self, app, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PROTECTED):
            client = scope.get("client")
            refused = self.access.refusal(dict(scope["headers"]), client[0] if client else None)
            if refused:
                status, reason = refused
                body = json.dumps({"error": reason}).encode()
                headers = [(b"content-type", b"application/json"),
                           (b"content-length", str(len(body)).encode())]
                if status == 401:
                    headers.append((b"www-authenticate", b"Bearer"))
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
