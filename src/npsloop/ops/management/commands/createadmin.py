"""`npsloop createadmin --email E`: a staff superuser to sign in to npsloop and its admin."""

from __future__ import annotations

import secrets
import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from npsloop.workspaces.configure import ensure_admin


class Command(BaseCommand):
    help = (
        "Create a staff superuser whose username is the email, or reset the password of an "
        "existing one. Prints a generated password unless --password-stdin is given."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(
                f"--email must be an email address like you@example.com, got {options['email']!r}"
            ) from None
        password = self._password(options["password_stdin"])
        _, created = ensure_admin(email, email, password)
        action = "Created" if created else "Updated"
        if options["password_stdin"]:
            self.stdout.write(f"{action} the admin {email} with the password read from stdin.")
        else:
            self.stdout.write(f"{action} the admin {email}; password: {password}")

    def _password(self, from_stdin: bool) -> str:
        if not from_stdin:
            return secrets.token_urlsafe(12)
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("--password-stdin: standard input held no password")
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError("the password was refused: " + " ".join(error.messages)) from None
        return password
