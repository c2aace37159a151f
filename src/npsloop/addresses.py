"""Which network address a request came from: the peer's, or behind NPSLOOP_PROXIES reverse
proxies the one the outermost of them saw. Sign-in throttling and the public link's rate
limit count by it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """Only the X-Forwarded-For entries the proxies appended are believed; a client can
    write anything in front of them."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    if settings.PROXIES < 1:
        return peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-settings.PROXIES] if len(hops) >= settings.PROXIES else peer
