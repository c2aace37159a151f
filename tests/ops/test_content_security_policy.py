"""Every page npsloop serves carries a strict Content-Security-Policy (django-csp); the few
pages that need more get exactly that, on that page only. Whether the pages still work under
it is tests/browser/test_pages_under_csp.py."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from site_pages import Site, make_site

STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy_of(answer: object) -> dict[str, list[str]]:
    header = answer["Content-Security-Policy"]  # type: ignore[index]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.fixture
def site(db: None) -> Site:
    return make_site()


@pytest.fixture
def owner(site: Site) -> Client:
    client = Client()
    client.force_login(site.owner)
    return client


@pytest.mark.parametrize(
    "name", ["sign-in", "public survey link", "email score page", "widget demo"]
)
def test_it_sends_the_strict_policy_on_public_pages(site: Site, name: str) -> None:
    answer = Client().get(site.public_pages()[name])
    assert answer.status_code == 200
    policy = policy_of(answer)
    if name == "widget demo":
        # Its inline snippet (what a customer pastes) and its style carry this page's nonce.
        found = re.search(r'<script nonce="([^"]+)">', answer.content.decode())
        assert found is not None
        nonce = f"'nonce-{found[1]}'"
        assert policy == {
            **STRICT,
            "script-src": ["'self'", nonce],
            "style-src": ["'self'", nonce],
        }
        return
    assert policy == STRICT


@pytest.mark.parametrize(
    "name",
    [
        "dashboard overview",
        "dashboard trend",
        "responses explorer",
        "cases inbox",
        "members",
        "workspace settings",
    ],
)
def test_it_sends_the_strict_policy_on_a_members_pages(
    site: Site, owner: Client, name: str
) -> None:
    answer = owner.get(site.signed_in_pages()[name])
    assert answer.status_code == 200
    assert policy_of(answer) == STRICT


def test_the_demo_page_has_a_new_nonce_each_time(site: Site) -> None:
    first, second = (policy_of(Client().get("/widget/demo"))["script-src"] for _ in range(2))
    assert first != second


def test_the_survey_previews_may_be_framed_by_npsloop_only(site: Site, owner: Client) -> None:
    """The settings page shows the email and the survey page in sandboxed frames; the
    email's markup is styled inline, as emails must be."""
    base = f"/w/{site.workspace.slug}/surveys/{site.survey.pk}/preview/"
    for kind in ("email", "page"):
        answer = owner.get(base + kind)
        assert answer.status_code == 200
        assert policy_of(answer) == {
            **STRICT,
            "style-src": ["'self'", "'unsafe-inline'"],
            "frame-ancestors": ["'self'"],
        }


def test_the_survey_settings_page_allows_inline_style_for_its_previews(
    site: Site, owner: Client
) -> None:
    """Its live previews are written into srcdoc frames, which live under this page's
    policy: the email's inline styles need it. Its scripts stay strict."""
    answer = owner.get(site.signed_in_pages()["survey settings"])
    assert answer.status_code == 200
    assert policy_of(answer) == {**STRICT, "style-src": ["'self'", "'unsafe-inline'"]}


def test_the_api_docs_page_is_strict_too(site: Site, owner: Client) -> None:
    answer = owner.get("/api/v1/docs")
    assert answer.status_code == 200
    assert policy_of(answer) == STRICT


def test_an_error_page_carries_the_policy(site: Site, owner: Client) -> None:
    assert policy_of(Client().get("/r/no-such-token-here/9")) == STRICT
    assert policy_of(owner.get("/w/no-such-workspace/")) == STRICT
