"""Importing historical responses from a file, each through ``record_response``.

A response's key is its identity: a row's ``key`` column, or, for files without one, a
hash of what the row says (survey, person, time, score, comment, channel, answers). So
importing the same file again finds every response already there and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from npsloop.contacts import cells
from npsloop.contacts.fields import ContactData
from npsloop.contacts.file_import import FileImport
from npsloop.contacts.import_report import RejectsFile
from npsloop.contacts.importing import CONTACT_COLUMNS, ColumnMap, contact_data
from npsloop.contacts.models import Contact
from npsloop.contacts.outcome import Outcome
from npsloop.contacts.services import upsert_contacts
from npsloop.contacts.tabular import FileProblem, Row, Table
from npsloop.errors import InvalidInput
from npsloop.stats import ScoreError, parse_score
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Channel, Survey
from npsloop.surveys.responses import ResponseData, check_response, record_response
from npsloop.workspaces.models import Workspace

RESPONSE_COLUMNS = ("key", "survey", "created_at", "score", "channel", "comment", "answers")
COLUMNS = (*RESPONSE_COLUMNS, *CONTACT_COLUMNS)
SURVEY_COLUMNS = ("name", "product_name", "question")
DERIVED_KEY_PREFIX = "import-"


@dataclass
class ResponseRow:
    survey: Survey
    score: int
    contact: ContactData | None
    comment: str = ""
    channel: str = Channel.OTHER
    created_at: datetime | None = None
    answers: dict[str, object] = field(default_factory=dict)
    key: str = ""
    key_given: bool = False


class SurveyIndex:
    """The workspace's surveys by name, and by id for names that are numbers."""

    def __init__(self, workspace: Workspace) -> None:
        self.surveys = list(Survey.objects.filter(workspace=workspace).order_by("pk"))

    def find(self, given: str) -> Survey:
        """The survey with this exact name, else with this id; InvalidInput otherwise."""
        named = [s for s in self.surveys if s.name == given]
        if len(named) == 1:
            return named[0]
        if named:
            ids = ", ".join(str(s.pk) for s in named)
            raise InvalidInput(
                {"survey": f"{len(named)} surveys are named {given!r}; give one id: {ids}"}
            )
        if given.isdigit():
            for survey in self.surveys:
                if survey.pk == int(given):
                    return survey
        raise InvalidInput({"survey": f"no survey named or numbered {given!r}; {self.listing()}"})

    def listing(self) -> str:
        if not self.surveys:
            return "this workspace has no survey yet"
        return "surveys: " + ", ".join(f"{s.name} ({s.pk})" for s in self.surveys[:20])


def ensure_surveys(workspace: Workspace, table: Table) -> tuple[int, int]:
    """Create the surveys of a surveys.csv (as exported) whose names are not taken yet.

    Returns (created, already there). Surveys are never changed by an import: the file
    is how a response file's survey names get their surveys in a new workspace.
    """
    if table.header is None or "name" not in table.header:
        raise FileProblem(
            f"{table.path}: a surveys file needs a name column ({', '.join(SURVEY_COLUMNS)})"
        )
    existing = {s.name for s in Survey.objects.filter(workspace=workspace)}
    created = unchanged = 0
    for row in table.rows():
        name = str(row.values.get("name") or "").strip()
        if row.problem is not None or not name:
            raise FileProblem(
                f"{table.path}: line {row.line}: {row.problem or 'a survey needs a name'}"
            )
        if name in existing:
            unchanged += 1
            continue
        try:
            create_survey(
                workspace,
                name=name,
                product_name=str(row.values.get("product_name") or workspace.name),
                question=str(row.values.get("question") or ""),
            )
        except InvalidInput as error:
            raise FileProblem(f"{table.path}: line {row.line}: {error}") from None
        existing.add(name)
        created += 1
    return created, unchanged


class ResponseImport(FileImport[ResponseRow]):
    """Responses recorded one by one; their contacts upserted a batch at a time first."""

    batch_size = 500

    def __init__(
        self,
        workspace: Workspace,
        table: Table,
        rejects: RejectsFile,
        columns: ColumnMap,
        default_survey: str | None = None,
        on_batch: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(workspace, table, rejects, on_batch)
        self.columns = columns
        self.surveys = SurveyIndex(workspace)
        self.default_survey = self._default_survey(default_survey)
        header = table.header
        if header is not None:
            fields = {columns.field_of(column) for column in header}
            if "score" not in fields:
                raise FileProblem(
                    f"{table.path}: no score column (or --map YOUR_COLUMN=score); "
                    f"got: {', '.join(header)}"
                )
            if "survey" not in fields and self.default_survey is None:
                raise FileProblem(
                    f"{table.path}: no survey column; pass --survey NAME_OR_ID "
                    f"({self.surveys.listing()})"
                )

    def _default_survey(self, given: str | None) -> Survey | None:
        if given is not None:
            try:
                return self.surveys.find(given)
            except InvalidInput as error:
                raise FileProblem(f"--survey {given!r}: {error.errors['survey']}") from None
        return self.surveys.surveys[0] if len(self.surveys.surveys) == 1 else None

    def parse(self, row: Row) -> ResponseRow:
        fields, properties = self.columns.split(row.values)
        errors: dict[str, str] = {}
        parsed = ResponseRow(survey=Survey(), score=0, contact=None)
        try:
            parsed.survey = self._survey(fields.get("survey"))
        except InvalidInput as error:
            errors.update(error.errors)
        try:
            parsed.score = parse_score(fields.get("score", ""))
        except ScoreError as error:
            errors["score"] = str(error)
        for name in ("comment", "channel", "key"):
            if name in fields:
                try:
                    setattr(parsed, name, cells.text(fields[name], name))
                except InvalidInput as error:
                    errors.update(error.errors)
        if "created_at" in fields:
            try:
                parsed.created_at = cells.moment(fields["created_at"], "created_at", self.zone)
            except InvalidInput as error:
                errors.update(error.errors)
        if "answers" in fields:
            try:
                parsed.answers = _answers(fields["answers"])
            except InvalidInput as error:
                errors.update(error.errors)
        person = {name: value for name, value in fields.items() if name in CONTACT_COLUMNS}
        if person or properties:
            try:
                parsed.contact = contact_data(person, properties, self.zone)
            except InvalidInput as error:
                errors.update(error.errors)
        if errors:
            raise InvalidInput(errors)
        # Everything record_response will check, before the row's contact is stored.
        check_response(self.workspace, _response_data(parsed, contact=None))
        parsed.key_given = bool(parsed.key)
        parsed.key = parsed.key or derived_key(parsed)
        return parsed

    def identities(self, item: ResponseRow) -> tuple[tuple[str, str], ...]:
        return (("key", item.key),)

    def repeat_warning(
        self, line: int, item: ResponseRow, name: str, value: str, first: int
    ) -> str:
        # A response is stored once per key: the first row is kept, and a repeat with the
        # same answer changes nothing (one with another answer is refused for its key).
        if item.key_given:
            return (
                f"line {line} repeats key {value!r} of line {first}: "
                f"line {first}'s response was kept"
            )
        return (
            f"line {line} repeats the response of line {first} (same survey, person, time "
            f"and answer): line {first}'s was kept"
        )

    def _survey(self, given: object) -> Survey:
        if given is None:
            if self.default_survey is None:
                raise InvalidInput({"survey": f"is missing; {self.surveys.listing()}"})
            return self.default_survey
        return self.surveys.find(cells.text(given, "survey", numbers=True).strip())

    def store(self, items: list[ResponseRow]) -> list[Outcome | InvalidInput]:
        people = [item.contact for item in items if item.contact is not None]
        upserted = iter(upsert_contacts(self.workspace, people))
        outcomes: list[Outcome | InvalidInput] = []
        for item in items:
            contact = next(upserted) if item.contact is not None else None
            if isinstance(contact, InvalidInput):
                outcomes.append(contact)
                continue
            data = _response_data(item, contact.contact if contact is not None else None)
            try:
                recorded = record_response(self.workspace, data)
            except InvalidInput as error:
                outcomes.append(error)
                continue
            outcomes.append(Outcome.CREATED if recorded.created else Outcome.UNCHANGED)
        return outcomes


def _response_data(row: ResponseRow, contact: Contact | None) -> ResponseData:
    return ResponseData(
        survey=row.survey,
        score=row.score,
        contact=contact,
        comment=row.comment,
        answers=row.answers,
        channel=row.channel,
        created_at=row.created_at,
        key=row.key or None,
    )


def _answers(value: object) -> dict[str, object]:
    """Answers to extra questions: a JSON object, as text in CSV or as it is in JSON Lines."""
    parsed = value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
    if not isinstance(parsed, dict):
        raise InvalidInput(
            {"answers": f'must be a JSON object like {{"why": "price"}}, got {str(value)[:40]!r}'}
        )
    return parsed


def derived_key(row: ResponseRow) -> str:
    """The same row always gets the same key, so a file without keys imports once."""
    person = row.contact
    identity = [
        (person.external_id or "").strip() if person else "",
        (person.email or "").strip().lower() if person else "",
    ]
    moment = row.created_at.astimezone(UTC).isoformat() if row.created_at else ""
    content = [row.survey.pk, *identity, moment, row.score, row.comment, row.channel, row.answers]
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
    return DERIVED_KEY_PREFIX + digest[:40]
