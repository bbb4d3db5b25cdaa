"""/openapi.json against the request models, in process: every body and query string schemathesis generates from
an operation's schema (positive mode) is read by the operation's pydantic model without a refusal. Many more
examples than the HTTP run (test_openapi_schemathesis.py) affords; the range checks of the routers are covered
there."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from privnum.config import Settings
from privnum.domain.result_codes import Refused
from privnum.entrypoints.api.app import create_app
from privnum.entrypoints.api.openapi_docs import OPERATIONS
from privnum.entrypoints.api.wire import parse


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(Settings.from_env()).openapi()


@pytest.fixture(scope="module")
def api_schema(document: dict[str, Any]) -> Any:
    return schemathesis.openapi.from_dict(document)


def _query_string_values(query: dict[str, Any] | None) -> dict[str, str]:
    """The query as the server reads it: every value a string (booleans as schemathesis serialises them)."""
    return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in (query or {}).items()}


@pytest.mark.parametrize(("method", "path"), sorted(OPERATIONS))
def test_what_the_schema_allows_the_model_reads(api_schema: Any, method: str, path: str) -> None:
    op = OPERATIONS[(method, path)]
    operation = api_schema[path][method.upper()]

    @given(case=operation.as_strategy())
    @settings(max_examples=100, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        try:
            if op.body is not None:
                parse(op.body, case.body)
            if op.query is not None:
                parse(op.query, _query_string_values(case.query))
        except Refused as refusal:
            raise AssertionError(f"allowed by the schema, refused by {op.body or op.query}: {refusal} "
                                 f"(body={case.body!r}, query={case.query!r})") from None

    run()


def test_sandbox_keeps_fastapis_schema(document: dict[str, Any]) -> None:
    call = document["paths"]["/sandbox/v1/calls"]["post"]
    assert call["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SandboxCallRequest"}
    assert "security" not in call and "422" in call["responses"]


def test_refusals_have_the_envelope_only(document: dict[str, Any]) -> None:
    refusal = document["components"]["schemas"]["Refusal"]
    assert refusal["required"] == ["resultcode", "resultdesc"] and refusal["additionalProperties"] is False
    for method, path in OPERATIONS:
        responses = document["paths"][path][method]["responses"]
        assert {"400", "401", "403", "500"} <= set(responses), (method, path)
