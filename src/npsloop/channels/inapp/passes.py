"""The token the widget's check answers with: a pass to answer, follow up on or dismiss one
ask, from the browser it was given to.

The ask's own token never leaves through the widget. A pass names it, signed (HMAC with the
server's SECRET_KEY, by Django's signing) together with the workspace, the device id the
check came from and, when the check carried a valid userHash, the user id: a pass copied into
another browser, or sent without the hash it was given with, is refused, and it lasts
LIFETIME. A browser's device id is a random value in its own storage, so without identity
verification the pass is as safe as that browser's storage; with it, a pass is worth nothing
to anyone who can't compute the user's hash.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.signing import BadSignature, SignatureExpired, TimestampSigner

from npsloop.channels.inapp.identity import Refused, Visitor
from npsloop.workspaces.models import Workspace

# Long enough for a card left on screen through a working day; a later page view shows
# the same survey again with a fresh pass.
LIFETIME = timedelta(hours=12)
MAX_LENGTH = 200


def issue_pass(workspace: Workspace, ask_token: str, visitor: Visitor) -> str:
    """The pass for ``ask_token`` that only this visitor's browser (and verified user) can use."""
    return _signer(workspace, visitor.device, _verified_id(visitor)).sign(ask_token)


def ask_token_of(workspace: Workspace, given: str, visitor: Visitor) -> str:
    """The ask token a pass names, when this visitor may use it; raises Refused if not."""
    # A verified visitor may also use a pass its browser got before it was verified.
    for user_id in dict.fromkeys([_verified_id(visitor), None]):
        try:
            return _signer(workspace, visitor.device, user_id).unsign(given, max_age=LIFETIME)
        except SignatureExpired:
            raise Refused(
                "this survey card has expired; the next page view shows it again"
            ) from None
        except BadSignature:
            continue
    raise Refused("this survey was shown to another browser or user")


def _verified_id(visitor: Visitor) -> str | None:
    return visitor.user_id if visitor.verified else None


def _signer(workspace: Workspace, device: str, user_id: str | None) -> TimestampSigner:
    # A JSON list: no device id or user id can be chosen to read as another pair.
    salt = json.dumps(["npsloop.widget-pass", workspace.pk, device, user_id])
    return TimestampSigner(salt=salt)
