"""Telling a link scanner from a person, from what it fetched: kept in the shared cache,
never in the database (a GET writes nothing, and scanners make many), so every web
process sees enough of a scanner's visit (NPSLOOP_CACHE_URL with several processes).

Two marks, both read when a page asks to record the score it was opened with:
- a burst: different scores opened for one email within BURST_WINDOW, a scanner walking
  the links rather than a person clicking one;
- the decoy: the email carries a link no person can see or reach (channels/email/message),
  so whatever fetched it is a machine, and for SCANNED_WINDOW that email's pages record
  nothing unless someone clicks.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import caches
from django.utils import timezone

BURST_WINDOW = timedelta(seconds=30)
# Long enough to cover a scanner's whole visit, however slowly it walks the links; short
# enough that the person's own click, usually much later, is not affected.
SCANNED_WINDOW = timedelta(minutes=2)
MAX_OPENS_KEPT = 12


def _opens_key(token: str) -> str:
    return f"npsloop:opens:{token}"


def _decoy_key(token: str) -> str:
    return f"npsloop:decoy:{token}"


def remember_open(token: str, score: int) -> None:
    """A score page of this email was opened (by GET)."""
    now = timezone.now().timestamp()
    window = BURST_WINDOW.total_seconds()
    opens = [o for o in caches["shared"].get(_opens_key(token), []) if now - o[1] < window]
    opens = [*opens, (score, now)][-MAX_OPENS_KEPT:]
    caches["shared"].set(_opens_key(token), opens, timeout=int(window))


def remember_decoy(token: str) -> None:
    """The email's hidden link was fetched: a machine is going through this email."""
    caches["shared"].set(
        _decoy_key(token), timezone.now().timestamp(), timeout=int(SCANNED_WINDOW.total_seconds())
    )


def looks_like_scanner(token: str) -> bool:
    now = timezone.now().timestamp()
    fetched = caches["shared"].get(_decoy_key(token))
    if fetched is not None and now - fetched < SCANNED_WINDOW.total_seconds():
        return True
    opens = caches["shared"].get(_opens_key(token), [])
    return len({o[0] for o in opens if now - o[1] < BURST_WINDOW.total_seconds()}) > 1
