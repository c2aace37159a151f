"""One change made to many cases at once (the inbox's bulk actions).

Each case goes through its owner function, which makes the change in its own transaction,
so a case whose status can't make the move is refused alone, reported with the reason, and
the others change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from npsloop.errors import InvalidInput
from npsloop.loop import cases as owner
from npsloop.loop.models import Case
from npsloop.surveys import annotations as tagging
from npsloop.surveys.models import Tag
from npsloop.workspaces.models import Member


@dataclass(frozen=True)
class Refusal:
    case_id: int
    reason: str


@dataclass
class BulkResult:
    """What became of each case: changed, already so, or refused (and why)."""

    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def assign_all(cases: Sequence[Case], member: Member | None, *, by: owner.Actor) -> BulkResult:
    """Give every case to this member (or to nobody)."""
    return _each(cases, lambda case: owner.assign(case, member, by=by))


def move_all(cases: Sequence[Case], status: str, *, by: owner.Actor) -> BulkResult:
    """Move every case to this status where its status allows it; the others are refused
    with the statuses they could take."""
    return _each(cases, lambda case: owner.move(case, status, by=by))


def tag_all(
    cases: Sequence[Case], *, add: Sequence[Tag] = (), remove: Sequence[Tag] = (), by: owner.Actor
) -> BulkResult:
    """Add or remove tags on the cases' responses (one response.tagged event each)."""
    result = BulkResult()
    for case in cases:
        changed = tagging.change_tags([case.response], add=add, remove=remove, by=by.user)
        (result.changed if changed else result.unchanged).append(case.pk)
    return result


def _each(cases: Sequence[Case], change: Callable[[Case], Case]) -> BulkResult:
    result = BulkResult()
    for case in cases:
        try:
            after = change(case)
        except owner.StatusNotAllowed as refused:
            result.refused.append(Refusal(case.pk, str(refused)))
            continue
        except InvalidInput as invalid:
            reason = "; ".join(f"{name}: {problem}" for name, problem in invalid.errors.items())
            result.refused.append(Refusal(case.pk, reason))
            continue
        (result.changed if after.version != case.version else result.unchanged).append(case.pk)
    return result
