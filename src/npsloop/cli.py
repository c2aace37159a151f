"""`npsloop …`: maps subcommands onto Django management commands (and the calculator).

Kept thin on purpose: every command's options and help live with the command itself,
so `npsloop import contacts --help` and the management command can't disagree.
"""

from __future__ import annotations

import os
import sys

# (words typed after `npsloop`) -> management command name
COMMANDS: dict[tuple[str, ...], str] = {
    ("run",): "run",
    ("web",): "web",
    ("worker",): "worker",
    ("migrate",): "migrate",
    ("createadmin",): "createadmin",
    ("demo",): "demo",
    ("workspace", "create"): "workspace_create",
    ("apikey", "create"): "apikey_create",
    ("import", "contacts"): "import_contacts",
    ("import", "responses"): "import_responses",
    ("export",): "export",
    ("ask",): "ask",
    ("send",): "send",
    ("plan",): "plan",
    ("rollups", "rebuild"): "rollups_rebuild",
}

USAGE = """usage: npsloop COMMAND [options]   (npsloop COMMAND --help for a command's options)

Running
  run                     web server and background worker together (Ctrl-C stops both)
  web                     the production web server (granian) only
  worker                  the background worker (Huey consumer); --no-periodic on extra machines
  migrate                 create or upgrade the database tables

Setting up
  createadmin --email E   create (or reset the password of) a staff user
  demo                    load the "Acme Cloud" demo workspace
  workspace create NAME   create a workspace, print its slug
  apikey create --workspace SLUG   create an API key, print the secret once

Data
  import contacts FILE --workspace SLUG     CSV, CSV.gz or JSON Lines
  import responses FILE --workspace SLUG    CSV, CSV.gz or JSON Lines
  export --workspace SLUG --out DIR         contacts, accounts, surveys, responses as CSV
  score FILE [--by COL ...]                 the NPS calculator for any export file
  rollups rebuild [--workspace SLUG]        recount the dashboards' daily histograms

Asking
  ask --survey ID FILE    schedule email asks for the contacts in FILE (ids or emails)
  send                    send due survey emails now (the worker does it every minute)
  plan --survey ID [--days N] [--dry-run]   run a survey's programme now / forecast it

  manage ...              any Django management command (for operators)
"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE, end="")
        return 0
    if args[0] == "score":
        from npsloop.calculator.command import main as score

        return score(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npsloop.settings")
    if args[0] == "manage":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["npsloop manage", *args[1:]])
        return 0
    for length in (2, 1):
        words = tuple(args[:length])
        if words in COMMANDS:
            return _run(COMMANDS[words], " ".join(words), args[length:])
    known = sorted({words[0] for words in COMMANDS} | {"score", "manage"})
    group = [" ".join(w) for w in COMMANDS if w[0] == args[0] and len(w) > 1]
    if group:
        print(f"npsloop {args[0]}: expected one of: {', '.join(group)}", file=sys.stderr)
    else:
        print(
            f"npsloop: unknown command {args[0]!r}; commands are: {', '.join(known)}",
            file=sys.stderr,
        )
    return 2


def _run(command_name: str, typed: str, rest: list[str]) -> int:
    import django
    from django.apps import apps
    from django.core.management import get_commands, load_command_class
    from django.core.management.base import CommandError, handle_default_options

    if not apps.ready:
        django.setup()
    command = load_command_class(get_commands()[command_name], command_name)
    words = typed.split()
    # As on a command line: a usage error prints the usage and exits with status 2.
    command._called_from_command_line = True  # type: ignore[attr-defined]
    # The usage line reads "npsloop import contacts", not "manage.py import_contacts".
    parser = command.create_parser(" ".join(["npsloop", *words[:-1]]), words[-1])
    parsed = parser.parse_args(rest)
    handle_default_options(parsed)
    options = vars(parsed)
    args = options.pop("args", ())
    try:
        command.execute(*args, **options)
    except CommandError as error:
        print(f"npsloop {typed}: {error}", file=sys.stderr)
        return error.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
