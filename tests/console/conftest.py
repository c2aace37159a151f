from __future__ import annotations

from console_fixtures import signed_in

__all__ = ["signed_in"]
