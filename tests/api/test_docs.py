"""The OpenAPI document and the interactive docs, served without any CDN."""

from __future__ import annotations

import re

from django.test import Client

DOCS = "/api/v1/docs"


def test_it_serves_the_openapi_document_without_a_key(db: None) -> None:
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in [
        "/api/v1/contacts",
        "/api/v1/contacts/{external_id}",
        "/api/v1/accounts/{external_id}",
        "/api/v1/surveys",
        "/api/v1/surveys/{survey_id}",
        "/api/v1/responses",
        "/api/v1/responses/{response_id}",
        "/api/v1/metrics",
        "/api/v1/releases",
    ]:
        assert path in paths, path
    assert set(r.json()["components"]["securitySchemes"]) == {"BearerKey", "BasicKey"}


def test_it_documents_that_erased_scores_stay_counted(db: None) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    erase = doc["paths"]["/api/v1/contacts/{external_id}"]["delete"]["description"]
    assert "scores stay counted, anonymously" in erase


def test_it_documents_the_score_as_an_integer_from_0_to_10(db: None) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    score = doc["components"]["schemas"]["ResponseIn"]["properties"]["score"]
    assert (score["type"], score["minimum"], score["maximum"]) == ("integer", 0, 10)


def test_it_serves_the_docs_page_from_local_files_only(db: None) -> None:
    client = Client()
    r = client.get(DOCS)
    assert r.status_code == 200
    html = r.content.decode()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "docs load from another host"
    assert '"validatorUrl": null' in html
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        body = b"".join(served.streaming_content) if served.streaming else served.content
        assert body, asset


def test_it_documents_every_reason_a_contact_is_skipped_or_kept_out(db: None) -> None:
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    skipped = schemas["SkippedOut"]["properties"]["reason"]
    assert skipped["enum"] == [
        "unknown contact",
        "listed twice",
        "unsubscribed",
        "bounced",
        "no email address",
        "already pending",
        "cooldown",
    ]
    kept_out = schemas["ForecastOut"]["properties"]["excluded_now"]
    assert kept_out["propertyNames"]["enum"] == [
        "not targeted",
        "sampling",
        "unsubscribed",
        "bounced",
        "no email address",
        "not yet in a wave",
        "already pending",
        "cooldown",
        "blackout",
        "account cap",
        "daily cap",
    ]
