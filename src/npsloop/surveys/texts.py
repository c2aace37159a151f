"""What respondents read, in every language we ask in: the wording of survey emails and pages,
which language a contact gets, and the checks on a survey's own wording.

Pure standard library on purpose: emails, pages, the API and the CLI all need these words, and
none of them should have to load Django models to say "Thank you".

Placeholders are `str.format` fields (`{product}`); the English text of a key defines which
placeholders that key offers, in every language and in a survey's custom wording.
"""

from __future__ import annotations

import difflib
import logging
import re
import string
from collections.abc import Mapping
from types import MappingProxyType

from django.utils.translation.trans_real import parse_accept_lang_header

from npsloop.surveys import catalogue

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"
# Long enough for a paragraph of intro text, short enough to fit an email subject or a button.
MAX_CUSTOM_WORDING = 1000

LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "it": "Italiano",
    "nl": "Nederlands",
    "ja": "日本語",
    "ar": "العربية",
}
RTL_LANGUAGES: frozenset[str] = frozenset({"ar"})


def _with_category_followups(texts: dict[str, str]) -> dict[str, str]:
    """A survey may word the follow-up question differently for promoters, passives and
    detractors; until it does, each is the general one."""
    return texts | {f"followup_{c}": texts["followup"] for c in CATEGORIES}


CATEGORIES = ("promoter", "passive", "detractor")
_ENGLISH = _with_category_followups(catalogue.ENGLISH)
CATALOGUE: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "en": MappingProxyType(_ENGLISH),
        "de": MappingProxyType(_with_category_followups(catalogue.GERMAN)),
        "fr": MappingProxyType(_with_category_followups(catalogue.FRENCH)),
        "es": MappingProxyType(_with_category_followups(catalogue.SPANISH)),
        "pt": MappingProxyType(_with_category_followups(catalogue.PORTUGUESE)),
        "it": MappingProxyType(_with_category_followups(catalogue.ITALIAN)),
        "nl": MappingProxyType(_with_category_followups(catalogue.DUTCH)),
        "ja": MappingProxyType(_with_category_followups(catalogue.JAPANESE)),
        "ar": MappingProxyType(_with_category_followups(catalogue.ARABIC)),
    }
)
# What an email may say about its recipient, beyond what each text offers: their name, email
# and company, and any contact or account property as {contact.plan} or {account.tier}.
MERGE_FIELDS = ("{name}", "{first_name}", "{email}", "{company}")
MERGE_PREFIXES = ("{contact.", "{account.")
PROPERTY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}")
MERGEABLE = frozenset({"email_subject", "reminder_subject", "email_intro", "email_greeting"})
KEYS: tuple[str, ...] = tuple(_ENGLISH)


def resolve_language(locale: str | None, preferred: str = DEFAULT_LANGUAGE) -> str:
    """The language to address a contact in, from whatever locale we hold for them.

    Only the primary subtag counts ("pt-BR", "pt_br" and "pt" are all Portuguese), because we
    write one text per language. A locale we do not speak gets `preferred` (the survey's or
    workspace's language) if we speak that, else English.
    """
    fallback = _primary_subtag(preferred)
    if fallback not in LANGUAGES:
        fallback = DEFAULT_LANGUAGE
    if not isinstance(locale, str):
        return fallback
    primary = _primary_subtag(locale)
    return primary if primary in LANGUAGES else fallback


def _primary_subtag(locale: str) -> str:
    # POSIX locales carry an encoding ("ja_JP.UTF-8") and sometimes a modifier ("de_DE@euro").
    bare = locale.strip().split(".", 1)[0].split("@", 1)[0]
    return bare.replace("_", "-").split("-", 1)[0].lower()


def browser_language(accept_language: str) -> str | None:
    """The language of a browser's Accept-Language header that we write texts in, taken by
    the header's q-values ("xx, de;q=0.8" is German); None when it names none of them, or is
    malformed: the survey's own language applies then."""
    for tag, _ in parse_accept_lang_header(accept_language):
        primary = _primary_subtag(tag)
        if primary in LANGUAGES:
            return primary
    return None


def direction(language: str) -> str:
    """ "rtl" or "ltr", for the `dir` attribute of an email or page in this language."""
    return "rtl" if _primary_subtag(language) in RTL_LANGUAGES else "ltr"


class _LeaveUnfilled(dict[str, object]):
    """Values for `str.format_map` that leave a placeholder nobody supplied as written: an
    email that shows "{name}" is a visible bug; one that fails to render is a lost response."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def text(
    language: str,
    key: str,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
    **values: object,
) -> str:
    """The wording of `key` in `language`, with placeholders filled from `values`.

    A survey's custom wording (`overrides[language][key]`) wins over the catalogue unless it is
    blank. A language we do not speak reads English, as does its custom wording.
    """
    if key not in _ENGLISH:
        raise KeyError(f"unknown text {key!r}; known texts: {', '.join(KEYS)}")
    code = resolve_language(language)
    fill = _LeaveUnfilled(values)
    custom = _custom_wording(overrides, code, key)
    if custom is not None:
        try:
            return custom.format_map(fill)
        except (ValueError, AttributeError, IndexError, TypeError) as error:
            # Wording saved before check_overrides existed, or edited in the database, must
            # not take a survey page down; the catalogue text always formats.
            logger.warning("custom wording for %s.%s cannot be filled in: %s", code, key, error)
    return CATALOGUE[code][key].format_map(fill)


def _custom_wording(
    overrides: Mapping[str, Mapping[str, str]] | None, language: str, key: str
) -> str | None:
    texts = overrides.get(language) if overrides else None
    if not isinstance(texts, Mapping):
        return None
    wording = texts.get(key)
    if isinstance(wording, str) and wording.strip():
        return wording
    return None


def check_overrides(overrides: object) -> dict[str, str]:
    """What is wrong with a survey's custom wording ({language: {text name: wording}}), as
    field path → message; empty when it can be saved.

    Blank wording is allowed: it means "use the catalogue text".
    """
    if not isinstance(overrides, Mapping):
        return {"texts": "must be an object of language → {text name → wording}"}
    errors: dict[str, str] = {}
    for language, texts in overrides.items():
        path = f"texts.{language}"
        if language not in LANGUAGES:
            errors[path] = f"unknown language {language!r}; supported: {', '.join(LANGUAGES)}"
        elif not isinstance(texts, Mapping):
            errors[path] = "must be an object of text name → wording"
        else:
            for key, wording in texts.items():
                problem = _wording_problem(key, wording)
                if problem:
                    errors[f"{path}.{key}"] = problem
    return errors


def _wording_problem(key: object, wording: object) -> str | None:
    if not isinstance(key, str) or key not in _ENGLISH:
        return _unknown_text_message(key)
    if not isinstance(wording, str) or len(wording) > MAX_CUSTOM_WORDING:
        return f"must be text of at most {MAX_CUSTOM_WORDING} characters"
    try:
        used = _placeholders(wording)
    except ValueError:
        return "has a { or } without its partner; write {{ or }} for a literal brace"
    accepted = _placeholders(_ENGLISH[key])
    if key in MERGEABLE:
        accepted = [*accepted, *MERGE_FIELDS, "{contact.<property>}", "{account.<property>}"]
    unknown = [
        field
        for field in dict.fromkeys(used)
        if field not in accepted and not (key in MERGEABLE and _is_property(field))
    ]
    if not unknown:
        return None
    offered = ", ".join(accepted) if accepted else "no placeholders"
    noun = "placeholder" if len(unknown) == 1 else "placeholders"
    return f"unknown {noun} {', '.join(unknown)}; this text accepts {offered}"


def _is_property(field: str) -> bool:
    prefix = next((p for p in MERGE_PREFIXES if field.startswith(p)), None)
    return prefix is not None and PROPERTY_NAME.fullmatch(field[len(prefix) : -1]) is not None


def _unknown_text_message(key: object) -> str:
    guess = difflib.get_close_matches(str(key), KEYS, n=1)
    hint = f"did you mean {guess[0]!r}? " if guess else ""
    return f"unknown text {key!r}; {hint}known texts: {', '.join(KEYS)}"


def _placeholders(wording: str) -> list[str]:
    """Each replacement field as written, e.g. "{product}" or "{score:>3}", in order of
    appearance. Raises ValueError for a brace without its partner.

    Fields keep their conversion and format spec so that only a bare "{product}" counts as the
    placeholder a key offers: "{product.name}" or "{score:d}" break when the value is missing.
    """
    fields = []
    for _literal, name, spec, conversion in string.Formatter().parse(wording):
        if name is None:
            continue
        field = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
        fields.append("{" + field + "}")
    return fields
