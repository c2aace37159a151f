"""Chromium pages on a customer's site (the fake server's), with the errors the pages threw.

The browser is the run's one Chromium (tests/chromium.py); these tests need no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fake_server import FakeServer
from playwright.sync_api import Browser, BrowserContext, Page

OpenPage = Callable[..., Page]


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    server = FakeServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page_errors() -> list[str]:
    """Uncaught errors of every page the test opened: the widget must never add one."""
    return []


@pytest.fixture
def open_page(browser: Browser, page_errors: list[str]) -> Iterator[OpenPage]:
    """Opens a page in a new context; keyword arguments go to browser.new_context."""
    contexts: list[BrowserContext] = []

    def open_(**options: Any) -> Page:
        context = browser.new_context(**{"viewport": {"width": 1200, "height": 800}, **options})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        return page

    yield open_
    for context in contexts:
        context.close()
    assert page_errors == [], "the widget threw into the host page"


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    return open_page()
