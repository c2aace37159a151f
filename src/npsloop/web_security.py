"""The web settings that keep accounts and pages safe: sign-in throttling (django-axes),
reverse proxies, HTTPS (secure cookies, HSTS, the redirect) and the Content-Security-Policy
(django-csp). settings.py takes them from here; docs/security.md says what each promises."""

from __future__ import annotations

import os
from datetime import timedelta
from urllib.parse import urlparse

from csp.constants import NONCE, NONE, SELF

from npsloop.environment import envbool, envint

# django-axes counts failed sign-ins (in the database, so every web process agrees) on the
# sign-in page and the admin's alike, and refuses even the right password during a pause,
# before the password hasher runs.
AUTHENTICATION_BACKENDS = [
    "npsloop.sign_in.ThrottledBackend",
    "django.contrib.auth.backends.ModelBackend",
]


def sign_in_throttle() -> tuple[int, timedelta]:
    """NPSLOOP_SIGN_IN_FAILURES wrong passwords for one account, or from one network address,
    pause its sign-in for NPSLOOP_SIGN_IN_PAUSE_MINUTES."""
    failures = envint("NPSLOOP_SIGN_IN_FAILURES", 10)
    minutes = envint("NPSLOOP_SIGN_IN_PAUSE_MINUTES", 15)
    if failures < 1:
        raise ValueError(f"NPSLOOP_SIGN_IN_FAILURES must be at least 1, got {failures}")
    if minutes < 1:
        raise ValueError(f"NPSLOOP_SIGN_IN_PAUSE_MINUTES must be at least 1, got {minutes}")
    return failures, timedelta(minutes=minutes)


def sign_in_throttling() -> dict[str, object]:
    """django-axes' settings but the two of sign_in_throttle()."""
    return {
        # Either is enough: guessing one account from many addresses, or many accounts
        # from one.
        "AXES_LOCKOUT_PARAMETERS": ["username", "ip_address"],
        # A pause ends one pause after the last counted failure, whatever is tried
        # meanwhile, so a guesser can't keep the owner out by guessing on.
        "AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT": False,
        # Off: a success would clear every failure from that address too, so a guesser with
        # an account of their own could sign in between guesses to restart the count.
        "AXES_RESET_ON_SUCCESS": False,
        # No row for each successful sign-in (nothing reads them, and nothing would prune
        # them).
        "AXES_DISABLE_ACCESS_LOG": True,
        # Its "AXES: BEGIN version …" banner would be printed by every npsloop command.
        "AXES_VERBOSE": False,
        "AXES_LOCKOUT_CALLABLE": "npsloop.sign_in.paused",
        "AXES_CLIENT_IP_CALLABLE": "npsloop.addresses.client_address",
    }


def proxies() -> int:
    """NPSLOOP_PROXIES: the reverse proxies in front of the web server, each appending to
    X-Forwarded-For: sign-ins are then counted by the address the outermost one saw, not
    the proxy's own."""
    count = envint("NPSLOOP_PROXIES", 0)
    if count < 0:
        raise ValueError(f"NPSLOOP_PROXIES must be 0 (none) or the number of proxies, got {count}")
    return count


def behind_proxies(count: int) -> dict[str, object]:
    """The proxies set X-Forwarded-Proto (overwriting a client's): believed only when there
    are proxies to set it."""
    return {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")} if count else {}


HSTS_OPTIONS = ("NPSLOOP_HSTS_SECONDS", "NPSLOOP_HSTS_INCLUDE_SUBDOMAINS", "NPSLOOP_HSTS_PRELOAD")
YEAR = 365 * 24 * 3600


def https(base_url: str, proxy_count: int) -> dict[str, object]:
    """With an https:// NPSLOOP_BASE_URL: cookies only over HTTPS, HSTS for a year, and plain
    HTTP redirected to the public address — except /healthz, for a load balancer's check.
    npsloop itself serves plain HTTP, so a proxy in front terminates TLS and says so in
    X-Forwarded-Proto. HSTS for subdomains, and the browsers' preload list, are hard to undo
    and reach beyond npsloop: only when the operator opts in."""
    if not base_url.startswith("https://"):
        for name in HSTS_OPTIONS:
            if os.getenv(name):
                raise ValueError(
                    f"{name} applies only to an https:// NPSLOOP_BASE_URL, and it is {base_url!r}"
                )
        return {}
    if proxy_count < 1:
        raise ValueError(
            "NPSLOOP_BASE_URL is https://, but npsloop serves plain HTTP: behind the proxy that "
            "terminates TLS, set NPSLOOP_PROXIES to the number of proxies in front (1 for one), "
            "so that npsloop believes the X-Forwarded-Proto they set"
        )
    seconds = envint("NPSLOOP_HSTS_SECONDS", YEAR)
    subdomains = envbool("NPSLOOP_HSTS_INCLUDE_SUBDOMAINS", False)
    preload = envbool("NPSLOOP_HSTS_PRELOAD", False)
    if seconds < 0:
        raise ValueError(f"NPSLOOP_HSTS_SECONDS must be 0 (no HSTS) or more seconds, got {seconds}")
    if preload and not (subdomains and seconds >= YEAR):
        raise ValueError(
            "NPSLOOP_HSTS_PRELOAD needs NPSLOOP_HSTS_INCLUDE_SUBDOMAINS=1 and "
            f"NPSLOOP_HSTS_SECONDS of at least {YEAR} (a year), as the browsers' preload list "
            "requires"
        )
    return {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        # Redirects go to the public address, never to a Host header a request made up.
        "SECURE_SSL_HOST": urlparse(base_url).netloc,
        "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
        "SECURE_HSTS_SECONDS": seconds,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": subdomains,
        "SECURE_HSTS_PRELOAD": preload,
        # `check --deploy` recommends both; leaving them off is a decision, taken above.
        "SILENCED_SYSTEM_CHECKS": [
            *([] if subdomains else ["security.W005"]),
            *([] if preload else ["security.W021"]),
        ],
    }


# Content-Security-Policy of every page (django-csp): npsloop's pages load scripts, styles and
# images from npsloop only, and no other site may frame them. The pages that need more say
# so themselves, and only they (see docs/security.md, "Headers and HTTPS"). NONCE appears in
# a page's header only when the page uses its nonce (the widget demo's inline snippet).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
