"""One real Chromium for the whole run, driven by Playwright (a pytest plugin listed in
tests/conftest.py). One Playwright per process: a second sync Playwright started while the
first runs would find its event loop and refuse to start."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

# Playwright's sync API runs an event loop in this thread, so Django sees an "async
# context" and refuses ORM calls made by the test itself (creating users, workspaces).
# Those calls are plain synchronous code that merely shares the thread; allow them.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
