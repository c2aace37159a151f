"""The demo's customers: companies (accounts) on a plan in a region, and the people in them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from npsloop.contacts.fields import ContactData

PLANS = (("free", 0.30), ("starter", 0.30), ("pro", 0.28), ("enterprise", 0.12))
REGIONS = (("NA", 0.40), ("EMEA", 0.35), ("APAC", 0.15), ("LATAM", 0.10))
ROLES = (("admin", 0.15), ("developer", 0.40), ("manager", 0.20), ("analyst", 0.25))
MODULES = ("compute", "storage", "databases", "monitoring", "billing", "identity", "edge")
SIZE_BY_PLAN = {"free": 4, "starter": 8, "pro": 20, "enterprise": 45}

FIRST = [
    "Ada",
    "Alan",
    "Amara",
    "Ana",
    "Ben",
    "Carla",
    "Chen",
    "Dana",
    "Diego",
    "Elif",
    "Emma",
    "Farah",
    "Felix",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jonas",
    "Julia",
    "Kai",
    "Kenji",
    "Lara",
    "Leo",
    "Lina",
    "Luca",
    "Maya",
    "Mateo",
    "Mei",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Sam",
    "Sara",
    "Sofia",
    "Tariq",
    "Tom",
    "Uma",
    "Vera",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Adams",
    "Becker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Khan",
    "Murphy",
    "Singh",
    "Nguyen",
    "Andersen",
    "Brown",
]
NAME_START = [
    "North",
    "Blue",
    "Bright",
    "Iron",
    "Silver",
    "Green",
    "Red",
    "Swift",
    "Clear",
    "Deep",
    "High",
    "Open",
    "Prime",
    "Quantum",
    "Rapid",
    "Solid",
    "Stellar",
    "True",
    "Urban",
    "Vivid",
]
NAME_END = [
    "wind",
    "field",
    "stone",
    "path",
    "bridge",
    "wave",
    "leaf",
    "forge",
    "line",
    "point",
    "harbor",
    "grove",
    "peak",
    "spark",
]
NAME_KIND = [
    "Labs",
    "Logistics",
    "Health",
    "Retail",
    "Media",
    "Systems",
    "Finance",
    "Energy",
    "Foods",
    "Studio",
]


@dataclass(frozen=True)
class DemoAccount:
    external_id: str
    name: str
    plan: str
    region: str
    domain: str


def pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def make_accounts(rng: random.Random, count: int) -> list[DemoAccount]:
    accounts = []
    for i in range(count):
        word = f"{rng.choice(NAME_START)}{rng.choice(NAME_END)}"
        name = f"{word} {rng.choice(NAME_KIND)}"
        accounts.append(
            DemoAccount(
                external_id=f"acct-{i + 1:04d}",
                name=name,
                plan=pick(rng, PLANS),
                region=pick(rng, REGIONS),
                domain=f"{word.lower()}{i + 1}.example.com",
            )
        )
    return accounts


def make_contacts(
    rng: random.Random, accounts: list[DemoAccount], count: int, anchor: datetime
) -> list[ContactData]:
    """People spread over the accounts (bigger plans, bigger teams), signed up over two years."""
    weights = [SIZE_BY_PLAN[a.plan] for a in accounts]
    contacts = []
    for i in range(count):
        # Every account gets at least one person; the rest follow team size.
        account = accounts[i] if i < len(accounts) else rng.choices(accounts, weights)[0]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        modules = sorted(rng.sample(MODULES, rng.randint(1, 4)))
        signed_up_at = anchor - timedelta(days=rng.uniform(20, 730))
        contacts.append(
            ContactData(
                external_id=f"user-{i + 1:05d}",
                email=f"{first}.{last}.{i + 1}@{account.domain}".lower(),
                name=f"{first} {last}",
                locale=rng.choice(("en", "en", "en", "de", "fr", "es", "pt-BR", "ja")),
                signed_up_at=signed_up_at.replace(microsecond=0),
                account_external_id=account.external_id,
                account_name=account.name,
                properties={
                    "plan": account.plan,
                    "region": account.region,
                    "role": pick(rng, ROLES),
                    # Property values are scalars, so a list is stored comma-separated.
                    "modules": ",".join(modules),
                },
            )
        )
    return contacts
