"""`python -m bench.metrics_raw WORKSPACE_ID CASES_JSON RUNS`: compute_metrics timed in-process.

The service alone, without HTTP, authentication or JSON, so the report can tell how much
of a request's time is the counting itself. Prints {case: [milliseconds, …]} as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date

import django


def main(argv: list[str]) -> int:
    django.setup()
    from npsloop.insights.metrics import MetricsQuery, compute_metrics
    from npsloop.workspaces.models import Workspace

    workspace = Workspace.objects.get(pk=int(argv[0]))
    cases: dict[str, dict[str, str]] = json.loads(argv[1])
    runs = int(argv[2])
    timings: dict[str, list[float]] = {}
    for name, params in cases.items():
        query = MetricsQuery(
            survey_id=int(params["survey"]) if "survey" in params else None,
            since=date.fromisoformat(params["since"]) if "since" in params else None,
            until=date.fromisoformat(params["until"]) if "until" in params else None,
            group_by=[params["group_by"]] if "group_by" in params else [],
        )
        compute_metrics(workspace, query)  # warm the caches, as a running server has them
        timings[name] = []
        for _ in range(runs):
            started = time.perf_counter()
            compute_metrics(workspace, query)
            timings[name].append((time.perf_counter() - started) * 1000)
    print(json.dumps(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
