"""The respondent-facing wording: complete in every language, placeholders intact, the right
language for a contact's locale, and a survey's own wording checked before it is saved."""

from __future__ import annotations

import string

import pytest

from npsloop.surveys.texts import (
    CATALOGUE,
    DEFAULT_LANGUAGE,
    KEYS,
    LANGUAGES,
    RTL_LANGUAGES,
    browser_language,
    check_overrides,
    direction,
    resolve_language,
    text,
)

EXPECTED_KEYS = (
    "question",
    "low_label",
    "high_label",
    "followup",
    "thanks_promoter",
    "thanks_passive",
    "thanks_detractor",
    "your_score",
    "change_score",
    "recorded",
    "comment_placeholder",
    "submit",
    "close",
    "saved",
    "edit_until",
    "edit_closed",
    "answer_required",
    "comment_too_long",
    "choose_one",
    "choose_any",
    "rating_low",
    "rating_high",
    "cta_label",
    "email_subject",
    "reminder_subject",
    "email_greeting",
    "email_greeting_anonymous",
    "email_intro",
    "email_signature",
    "unsubscribe_link",
    "unsubscribe_title",
    "unsubscribe_question",
    "unsubscribe_button",
    "unsubscribe_done",
    "not_found",
    "bad_score",
    "public_intro",
    "already_answered",
    "rate_limited",
    "page_title",
    "followup_promoter",
    "followup_passive",
    "followup_detractor",
)
ALL_LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl", "ja", "ar")


def fields_of(wording: str) -> set[str]:
    """The replacement fields of a format string, read independently of the module under test."""
    return {name for _, name, _, _ in string.Formatter().parse(wording) if name is not None}


def test_it_speaks_the_nine_languages_with_their_native_names() -> None:
    assert tuple(LANGUAGES) == ALL_LANGUAGES
    assert tuple(CATALOGUE) == ALL_LANGUAGES
    assert LANGUAGES["de"] == "Deutsch"
    assert LANGUAGES["ja"] == "日本語"
    assert LANGUAGES["ar"] == "العربية"
    assert DEFAULT_LANGUAGE == "en"


def test_it_lists_every_text_key() -> None:
    assert KEYS == EXPECTED_KEYS


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_it_has_every_text_in_every_language(language: str) -> None:
    texts = CATALOGUE[language]
    assert sorted(texts) == sorted(EXPECTED_KEYS)
    blank = [key for key, wording in texts.items() if not wording.strip()]
    assert blank == []


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_it_keeps_exactly_the_english_placeholders_in_every_language(language: str) -> None:
    mismatched = {
        key: (fields_of(CATALOGUE[language][key]), fields_of(CATALOGUE["en"][key]))
        for key in EXPECTED_KEYS
        if fields_of(CATALOGUE[language][key]) != fields_of(CATALOGUE["en"][key])
    }
    assert mismatched == {}


def test_it_offers_the_placeholders_the_templates_fill_in() -> None:
    used = set().union(*(fields_of(wording) for wording in CATALOGUE["en"].values()))
    assert used == {"product", "score", "date", "length", "max", "name", "email"}
    assert fields_of(CATALOGUE["en"]["unsubscribe_question"]) == {"product", "email"}


@pytest.mark.parametrize("language", [code for code in ALL_LANGUAGES if code != "en"])
def test_it_translates_rather_than_copies_english(language: str) -> None:
    copied = [key for key in EXPECTED_KEYS if CATALOGUE[language][key] == CATALOGUE["en"][key]]
    # A word such as "Excellent" may be the same in French; whole sentences never are.
    assert len(copied) <= 2, copied
    assert "question" not in copied


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("pt-BR", "pt"),
        ("pt_br", "pt"),
        ("DE", "de"),
        ("de-AT", "de"),
        ("ar-EG", "ar"),
        ("ja_JP.UTF-8", "ja"),
        ("de_DE@euro", "de"),
        ("fr.UTF-8", "fr"),
        ("it@euro", "it"),
        (" fr-CA ", "fr"),
        ("nl", "nl"),
        ("zh-CN", "en"),
        ("C", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_it_resolves_a_contacts_locale(locale: str | None, language: str) -> None:
    assert resolve_language(locale) == language


def test_it_falls_back_to_the_preferred_language_we_speak() -> None:
    assert resolve_language("zh-CN", preferred="de") == "de"
    assert resolve_language(None, preferred="fr") == "fr"
    assert resolve_language("", preferred="it") == "it"
    assert resolve_language("es-MX", preferred="de") == "es"
    assert resolve_language("zh-CN", preferred="zh") == "en"
    assert resolve_language(None, preferred="xx") == "en"
    assert resolve_language("zh-CN", preferred="pt-BR") == "pt"


def test_it_gives_the_catalogue_text_with_placeholders_filled() -> None:
    assert text("en", "your_score", score=9) == "Your score: 9"
    assert text("de", "submit") == "Senden"
    assert text("ja", "question", product="Acme").startswith("Acmeを友人や同僚に")
    assert (
        text("en", "unsubscribe_question", product="Acme", email="ana@example.com")
        == "Stop receiving survey emails from Acme at ana@example.com?"
    )


def test_it_leaves_placeholders_without_a_value_as_written() -> None:
    assert text("en", "email_greeting") == "Hi {name},"
    assert (
        text("en", "unsubscribe_question", product="Acme")
        == "Stop receiving survey emails from Acme at {email}?"
    )
    assert text("en", "submit", unused="ignored") == "Send"


def test_it_falls_back_to_english_for_a_language_it_does_not_speak() -> None:
    assert text("xx", "submit") == "Send"
    assert text("", "submit") == "Send"
    assert text("de-AT", "submit") == "Senden"


def test_it_refuses_an_unknown_text_naming_it() -> None:
    with pytest.raises(KeyError, match="questoin"):
        text("en", "questoin")


def test_it_prefers_a_surveys_own_wording() -> None:
    overrides = {"de": {"submit": "Abschicken", "question": "Würden Sie {product} empfehlen?"}}
    assert text("de", "submit", overrides) == "Abschicken"
    assert text("de", "question", overrides, product="Acme") == "Würden Sie Acme empfehlen?"
    assert text("de", "saved", overrides) == "Ihre Antworten wurden gespeichert."
    assert text("en", "submit", overrides) == "Send"


def test_it_uses_the_catalogue_when_custom_wording_is_blank() -> None:
    assert text("de", "submit", {"de": {"submit": ""}}) == "Senden"
    assert text("de", "submit", {"de": {"submit": "   "}}) == "Senden"
    assert text("de", "submit", {}) == "Senden"


def test_it_reads_english_custom_wording_for_a_language_it_does_not_speak() -> None:
    assert text("xx", "submit", {"en": {"submit": "Go"}, "xx": {"submit": "Nope"}}) == "Go"


def test_it_uses_the_catalogue_when_custom_wording_cannot_be_filled_in() -> None:
    assert text("en", "submit", {"en": {"submit": "Send {"}}) == "Send"
    assert text("en", "question", {"en": {"question": "{}?"}}, product="Acme") == (
        "How likely are you to recommend Acme to a friend or colleague?"
    )


def test_it_accepts_valid_custom_wording() -> None:
    assert check_overrides({}) == {}
    assert (
        check_overrides(
            {
                "de": {"question": "Würden Sie {product} empfehlen?", "submit": ""},
                "ar": {"unsubscribe_question": "{email} / {product}؟"},
                "en": {"submit": "Curly {{braces}} are fine", "saved": "x" * 1000},
            }
        )
        == {}
    )


def test_it_accepts_the_catalogue_as_custom_wording() -> None:
    assert check_overrides({code: dict(texts) for code, texts in CATALOGUE.items()}) == {}


@pytest.mark.parametrize("overrides", [None, [], "hello", 3, [("de", {})]])
def test_it_rejects_custom_wording_that_is_not_an_object(overrides: object) -> None:
    assert check_overrides(overrides) == {
        "texts": "must be an object of language → {text name → wording}"
    }


def test_it_rejects_an_unknown_language() -> None:
    assert check_overrides({"xx": {"submit": "Go"}}) == {
        "texts.xx": "unknown language 'xx'; supported: en, de, fr, es, pt, it, nl, ja, ar"
    }


def test_it_rejects_a_language_whose_wording_is_not_an_object() -> None:
    assert check_overrides({"de": "Senden"}) == {
        "texts.de": "must be an object of text name → wording"
    }


def test_it_rejects_an_unknown_text_and_suggests_the_near_one() -> None:
    errors = check_overrides({"de": {"foo": "x", "questoin": "y"}})
    assert set(errors) == {"texts.de.foo", "texts.de.questoin"}
    assert errors["texts.de.foo"].startswith("unknown text 'foo'; known texts: question, ")
    assert errors["texts.de.questoin"].startswith(
        "unknown text 'questoin'; did you mean 'question'? known texts: "
    )


@pytest.mark.parametrize("wording", ["x" * 1001, 42, None, ["Senden"]])
def test_it_rejects_wording_that_is_not_short_text(wording: object) -> None:
    assert check_overrides({"de": {"question": wording}}) == {
        "texts.de.question": "must be text of at most 1000 characters"
    }


def test_it_rejects_a_placeholder_the_text_does_not_offer() -> None:
    assert check_overrides({"en": {"question": "Rate {scroe}"}}) == {
        "texts.en.question": "unknown placeholder {scroe}; this text accepts {product}"
    }
    assert check_overrides({"fr": {"question": "Votre note {score}"}}) == {
        "texts.fr.question": "unknown placeholder {score}; this text accepts {product}"
    }
    assert check_overrides({"en": {"submit": "Go, {name}"}}) == {
        "texts.en.submit": "unknown placeholder {name}; this text accepts no placeholders"
    }
    assert check_overrides({"en": {"unsubscribe_question": "{a} {email} {b} {a}"}}) == {
        "texts.en.unsubscribe_question": (
            "unknown placeholders {a}, {b}; this text accepts {product}, {email}"
        )
    }


@pytest.mark.parametrize("field", ["{product.name}", "{product!r}", "{product:>9}", "{}", "{0}"])
def test_it_rejects_a_placeholder_that_is_not_a_bare_name(field: str) -> None:
    assert check_overrides({"en": {"question": f"Recommend {field}?"}}) == {
        "texts.en.question": f"unknown placeholder {field}; this text accepts {{product}}"
    }


@pytest.mark.parametrize("wording", ["Send {", "Send }", "Send {product"])
def test_it_rejects_an_unmatched_brace(wording: str) -> None:
    assert check_overrides({"en": {"question": wording}}) == {
        "texts.en.question": "has a { or } without its partner; write {{ or }} for a literal brace"
    }


def test_it_reports_every_problem_by_its_path() -> None:
    errors = check_overrides(
        {"de": {"submit": "Los", "foo": "x", "saved": 1}, "xx": {}, "fr": {"question": "{x}"}}
    )
    assert set(errors) == {"texts.de.foo", "texts.de.saved", "texts.xx", "texts.fr.question"}


def test_it_writes_arabic_right_to_left() -> None:
    assert set(RTL_LANGUAGES) == {"ar"}
    assert direction("ar") == "rtl"
    assert direction("ar-EG") == "rtl"
    assert direction("en") == "ltr"
    assert direction("ja") == "ltr"
    assert direction("xx") == "ltr"


def test_it_words_the_followup_per_category_like_the_general_one_until_told() -> None:
    assert text("de", "followup_detractor") == text("de", "followup")
    custom = {"en": {"followup_detractor": "What should we fix first?"}}
    assert text("en", "followup_detractor", custom) == "What should we fix first?"
    assert text("en", "followup_promoter", custom) == text("en", "followup")


def test_it_lets_email_texts_use_merge_fields_and_properties() -> None:
    ok = {"en": {"email_intro": "Hi {first_name} at {company} on {contact.plan} ({account.tier})"}}
    assert check_overrides(ok) == {}
    bad = {"en": {"thanks_promoter": "Thanks {first_name}"}}
    assert "unknown placeholder {first_name}" in check_overrides(bad)["texts.en.thanks_promoter"]
    injected = {"en": {"email_intro": "{contact.__class__}"}}
    assert check_overrides(injected) != {}


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("de-CH, de;q=0.9, en;q=0.8", "de"),
        ("fr-CA,fr;q=0.9", "fr"),
        ("xx-YY, sv;q=0.9, pt-BR;q=0.8, en;q=0.5", "pt"),  # the first we speak
        ("en;q=0.5, ja", "ja"),  # by q-value, not by position
        ("*", None),
        ("sv, fi", None),
        ("", None),
        ("de;q=abc", None),  # malformed: the survey's language applies
        ("x" * 600, None),
    ],
)
def test_it_takes_a_browsers_language_that_it_speaks(header: str, language: str | None) -> None:
    assert browser_language(header) == language
