"""Who a survey may ask: contact properties that must match, accounts, and a minimum tenure.

The same rules two ways: as a database filter for the planner (a million contacts at once)
and in Python for the widget (one contact per page view). A test holds them equal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q

from npsloop.contacts.models import Contact
from npsloop.surveys.models import Survey


def rules_of(survey: Survey) -> dict[str, Any]:
    return survey.targeting if isinstance(survey.targeting, dict) else {}


def targeting_filter(survey: Survey, now: datetime) -> Q:
    rules = rules_of(survey)
    condition = Q()
    for name, value in (rules.get("properties") or {}).items():
        condition &= Q(**{f"properties__{name}": value})
    accounts = rules.get("accounts")
    if accounts:
        condition &= Q(account__external_id__in=list(accounts))
    tenure = rules.get("min_tenure_days")
    if isinstance(tenure, int) and tenure > 0:
        condition &= Q(signed_up_at__lte=now - timedelta(days=tenure))
    return condition


def targets(survey: Survey, contact: Contact, now: datetime) -> bool:
    rules = rules_of(survey)
    wanted = rules.get("properties") or {}
    if any(contact.properties.get(name) != value for name, value in wanted.items()):
        return False
    accounts = rules.get("accounts")
    if accounts and (contact.account is None or contact.account.external_id not in accounts):
        return False
    tenure = rules.get("min_tenure_days")
    if isinstance(tenure, int) and tenure > 0:
        signed_up = contact.signed_up_at
        return signed_up is not None and signed_up <= now - timedelta(days=tenure)
    return True
