"""`python -m npsloop.calculator FILE ...` runs `npsloop score` without the main CLI."""

from __future__ import annotations

from npsloop.calculator.command import main

raise SystemExit(main())
