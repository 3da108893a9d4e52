"""GET /api/v1/schemas/<name>.json: the published JSON Schemas, public, cacheable, the files in docs/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

SCHEMA_DIR = Path(settings.BASE_DIR) / "docs" / "schemas"
URLS = [
    ("/api/v1/schemas/cno-case-1.json", "cno-case-1.schema.json"),
    ("/api/v1/schemas/cno-assessment-1.json", "cno-assessment-1.schema.json"),
]


@pytest.mark.parametrize(("url", "file_name"), URLS)
def test_an_anonymous_client_gets_each_schema_as_the_file_in_docs_without_a_query(
    client, db, django_assert_num_queries, url, file_name
):
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    assert json.loads(response.content) == json.loads((SCHEMA_DIR / file_name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("url", "file_name"), URLS)
def test_each_schema_is_publicly_cacheable_and_revalidates_by_etag(client, url, file_name):
    response = client.get(url)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=3600"} <= directives
    assert "Set-Cookie" not in response.headers
    again = client.get(url, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_the_two_schemas_have_different_etags(client):
    assert client.get(URLS[0][0])["ETag"] != client.get(URLS[1][0])["ETag"]


def test_the_schemas_are_read_only(client):
    assert client.post(URLS[0][0], {}).status_code == 405


def test_an_unknown_schema_is_not_found(client):
    assert client.get("/api/v1/schemas/cno-case-2.json").status_code == 404
