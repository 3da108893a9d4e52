"""The published schema: valid OpenAPI, every operation documents its errors, and its contract
components accept every demo case and the assessment the engine gives it."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from exclusion import engine
from exclusion.workbench.api.openapi import contract_components
from tests.exclusion.workbench.test_api_case_intake import demo_cases


def json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects as JSON Schema: `nullable` becomes a null type; refs stay local."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: json_schema(value) for key, value in node.items() if key != "nullable"}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if "$ref" in out:
            out = {"anyOf": [{"$ref": out["$ref"]}, {"type": "null"}]}
    return out


def validator(name: str) -> jsonschema.Validator:
    defs = json_schema(contract_components())
    return jsonschema.Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": defs})


def test_every_demo_case_and_its_assessment_fit_the_published_components():
    cases, assessments = validator("CnoCase"), validator("CnoAssessment")
    for _, record_number, doc in demo_cases():
        assert not list(cases.iter_errors(doc)), record_number
        assert not list(assessments.iter_errors(engine.assess(doc))), record_number


def test_the_schema_documents_errors_for_every_operation(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 15
    for path, method, operation in operations:
        codes = set(operation["responses"])
        assert "401" in codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if method in ("post", "put", "patch"):
            assert {"400", "403"} <= codes, (method, path)
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")) and path.startswith("/api/v1/") and "flags" not in path:
                content = response["content"]["application/json"]
                assert content["examples"], (method, path, code)


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/schema/?format=json", "/api/v1/docs/"])
def test_schema_and_docs_are_public_and_local(client, path):
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert "cdn.jsdelivr" not in body and "unpkg.com" not in body
    if "format=json" in path:
        assert json.loads(body)["openapi"].startswith("3.")


def test_the_assessment_enums_are_the_vocabularys_codes_in_its_order():
    from exclusion.engine import vocabulary

    components = contract_components()
    assessment = components["CnoAssessment"]["properties"]
    assert components["CnoDifferential"]["properties"]["status"]["enum"] == list(vocabulary.STATUSES.codes)
    assert assessment["focality"]["enum"] == list(vocabulary.FOCALITIES.codes)
    assert assessment["bristol"]["properties"]["status"]["enum"] == list(vocabulary.BRISTOL_STATUSES.codes)
    differentials = assessment["differentials"]
    assert differentials["required"] == list(vocabulary.DIFFERENTIALS.codes)
    assert list(differentials["properties"]) == list(vocabulary.DIFFERENTIALS.codes)
