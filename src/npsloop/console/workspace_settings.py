"""A workspace's own settings: asking rules, the widget's keys and who may embed it.
Admins and owners change them; other members don't see the secret."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from npsloop.console.access import ADMINS, workspace_for
from npsloop.errors import InvalidInput
from npsloop.insights.dashboard import benchmarks_of
from npsloop.workspaces.configure import rotate_widget_secret, update_workspace

NUMBERS = (
    "cooldown_days",
    "send_rate_per_minute",
    "anonymous_sample_percent",
    "widget_recheck_minutes",
    "small_group_n",
)


@login_required
@require_http_methods(["GET", "POST"])
def workspace_settings(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, role = workspace_for(request.user, slug)
    if role not in ADMINS:
        return HttpResponseForbidden("Only admins and owners see and change workspace settings.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.POST.get("rotate_secret") == "1":
            rotate_widget_secret(workspace)
            return redirect(f"{request.path}?saved=1")
        changes: dict[str, object] = {
            "name": request.POST.get("name", ""),
            "widget_origins": request.POST.get("widget_origins", ""),
            "require_identity": request.POST.get("require_identity") == "on",
        }
        if "benchmarks" in request.POST:
            benchmarks, problem = parse_benchmarks(request.POST["benchmarks"])
            if problem:
                errors["benchmarks"] = problem
            else:
                changes["benchmarks"] = benchmarks
        for name in NUMBERS:
            if name not in request.POST:
                continue  # a form of an older page; the setting stays as it is
            value = request.POST[name].strip()
            if value.isdigit():
                changes[name] = int(value)
            else:
                errors[name] = f"must be a whole number, got {value!r}"
        if not errors:
            try:
                update_workspace(workspace, changes)
            except InvalidInput as error:
                errors = error.errors
        if not errors:
            return redirect(f"{request.path}?saved=1")
    return render(
        request,
        "console/workspace_settings.html",
        {
            "workspace": workspace,
            "errors": errors,
            "saved": request.GET.get("saved") == "1",
            "form": request.POST if errors else None,
            "benchmarks_text": format_benchmarks(benchmarks_of(workspace)),
        },
        status=422 if errors else 200,
    )


def parse_benchmarks(text: str) -> tuple[list[dict[str, object]] | None, str | None]:
    """Benchmarks from lines like "SaaS average | 30 | where the figure comes from";
    empty text means the defaults (None)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None, None
    benchmarks: list[dict[str, object]] = []
    for number, line in enumerate(lines, 1):
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (2, 3):
            return None, (
                f"line {number}: write name | NPS | source (the source may be left out), "
                f"got {line!r}"
            )
        try:
            nps = float(parts[1])
        except ValueError:
            return (
                None,
                f"line {number}: the NPS must be a number from -100 to 100, got {parts[1]!r}",
            )
        value: int | float = int(nps) if nps.is_integer() else nps
        benchmarks.append(
            {"name": parts[0], "nps": value, "source": parts[2] if len(parts) == 3 else ""}
        )
    return benchmarks, None


def format_benchmarks(benchmarks: list[dict[str, object]]) -> str:
    return "\n".join(
        " | ".join(str(part) for part in (b["name"], b["nps"], b.get("source", "")) if part != "")
        for b in benchmarks
    )
