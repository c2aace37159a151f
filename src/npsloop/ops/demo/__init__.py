"""The "Acme Cloud" demo workspace: customers, a year of responses and a few releases."""

from __future__ import annotations

from npsloop.ops.demo.load import DemoLoaded, load_demo

__all__ = ["DemoLoaded", "load_demo"]
