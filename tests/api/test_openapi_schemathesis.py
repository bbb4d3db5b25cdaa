"""Schemathesis against a real ``privnum serve``: every Huawei operation of /openapi.json, signed with a valid X-AKSK
header (fresh nonce, current Created) for an app of the operation's mode.

Checks: ``not_a_server_error`` (no 5xx), ``status_code_conformance`` (only documented statuses),
``content_type_conformance`` (application/json;charset=UTF-8), ``response_schema_conformance`` (success bodies
with the mode's fields, refusals with the resultcode/resultdesc envelope only) and
``response_headers_conformance`` (Location on the recording redirect).

Plus ``no_format_refusal_of_valid_data`` (below): a request generated from the schema is not refused as
malformed (1010002) except for a rule the operation's description states; so the API is not stricter than its
document.

Left out: ``negative_data_rejection`` (Huawei's wire accepts some values the schema does not promise: unknown
fields are ignored, "" and null read as absent in optional non-number fields, out-of-range paging sizes mean
the default, integers also come as decimal strings), ``positive_data_acceptance`` (a well-formed request is
refused with 403 by business rules: no such binding, number not of this app, cross-field rules a query string's
schema cannot state), ``missing_required_header`` / ``ignored_auth`` (authentication is covered by
test_auth.py; the hook signs every request), ``use_after_free`` / ``ensure_resource_availability`` (stateful
checks, not run here), ``unsupported_method`` (Huawei answers 403 1010006, not 405).

Bounded: MAX_EXAMPLES positive and MAX_EXAMPLES negative cases per operation (PRIVNUM_SCHEMATHESIS_EXAMPLES for a
deeper run), derandomized, no deadline. The cases come from schemathesis's Python API (``as_strategy`` with the
auth hook, run under ``hypothesis.given``): its pytest plugin (``schemathesis.pytest.from_fixture``) fails on
pytest 9.2 (it sets ``Function._nodeid``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from huawei_client import AX_CALLEE_URI, AX_URI, AXB_URI, AXE_URI, AXYB_URI, HuaweiClient, signed_headers
from privnum.entrypoints.api.openapi_docs import OPERATIONS
from servers import Server

MAX_EXAMPLES = int(os.environ.get("PRIVNUM_SCHEMATHESIS_EXAMPLES", "12"))  # per operation and generation mode
MODE_OF_PATH = {AXB_URI: "AXB", AX_URI: "AX", AX_CALLEE_URI: "AX", AXE_URI: "AXE",
                "/rest/caas/extendnumber/v2.0": "AXE", AXYB_URI: "AXYB"}
# The 1010002 refusals a request the schema allows may still get: the rules each operation's description states
# because JSON Schema cannot (across query parameters, per app). Any other 1010002 means the API is stricter
# than its document.
DESCRIBED_RULES = {
    ("post", AXB_URI): ("must differ from the caller",),
    ("delete", AXB_URI): ("subscriptionId or relationNum is required",),
    ("get", AXB_URI): ("subscriptionId or relationNum is required",),
    ("delete", AX_URI): ("subscriptionId or privateNum is required",),
    ("get", AX_URI): ("one of subscriptionId, origNum or privateNum is required",),
    ("post", AXE_URI): ("this app's extension length",),
    ("put", AXE_URI): ("this app's extension length",),
    ("delete", AXE_URI): ("this app's extension length", "subscriptionId, or virtualNum together with extendNum"),
    ("get", AXE_URI): ("this app's extension length", "subscriptionId, or virtualNum together with extendNum"),
    ("get", "/rest/caas/extendnumber/v2.0"): ("this app's extension length",
                                               "virtualNum is required for a cursor query"),
    ("get", AXYB_URI): ("subscriptionId or relationNum is required",),
}


FORMAT_REFUSALS = ("1010002", "1020001")  # 1020001: call stop's "Parameter error."


@schemathesis.check
def no_format_refusal_of_valid_data(ctx: schemathesis.CheckContext, response: schemathesis.Response,
                                    case: schemathesis.Case) -> bool | None:
    """A request generated from the schema (positive mode) is not refused as malformed (1010002; 1020001 for call
    stop), except for a rule the operation's description states."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 403:
        return None
    body = response.json()
    if body.get("resultcode") not in FORMAT_REFUSALS:
        return None
    allowed = DESCRIBED_RULES.get((case.operation.method.lower(), case.operation.path), ())
    if not any(rule in body["resultdesc"] for rule in allowed):
        raise AssertionError(f"the schema allows this request, but the server refused it: {body['resultdesc']}")
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, no_format_refusal_of_valid_data]
CLIENTS: dict[str, HuaweiClient] = {}  # mode -> the client of an app of that mode, for the auth hook


class AkskAuth:
    """Signs every generated request as an app of the operation's mode: a fresh nonce and the current Created."""

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> HuaweiClient:
        return CLIENTS[MODE_OF_PATH.get(case.operation.path, "AXB")]  # call stop, recordings: any mode

    def set(self, case: schemathesis.Case, client: HuaweiClient, context: schemathesis.AuthContext) -> None:
        headers = signed_headers(client.app_key, client.app_secret)
        headers.pop("Content-Type")  # schemathesis sets the body's own
        case.headers = {**(case.headers or {}), **headers}
        if case.operation.path == AXYB_URI:  # the app_key URL parameter must be the signing app's APP_Key
            case.query = {**(case.query or {}), "app_key": client.app_key}


@pytest.fixture(scope="module")
def api_schema(server: Server) -> Iterator[Any]:
    for mode in ("AXB", "AX", "AXE", "AXYB"):
        client, _ = server.app(mode, 5)
        CLIENTS[mode] = client
    schema = schemathesis.openapi.from_url(f"{server.base}/openapi.json")
    schema.auth(refresh_interval=None)(AkskAuth)  # no caching: each request needs a nonce of its own
    yield schema
    CLIENTS.clear()


def test_every_huawei_operation_is_described(api_schema: Any) -> None:
    described = {(op.method.lower(), op.path) for op in (r.ok() for r in api_schema.get_all_operations())
                 if op.path.startswith("/rest/")}
    assert described == set(OPERATIONS)
    for method, path in OPERATIONS:
        definition = api_schema[path][method.upper()].definition.raw
        assert definition["security"] == [{"Authorization": [], "X-AKSK": []}]
        assert "requestBody" in definition or definition.get("parameters"), (method, path)


@pytest.mark.parametrize(("method", "path"), sorted(OPERATIONS))
def test_operation_conforms_to_openapi(api_schema: Any, method: str, path: str) -> None:
    operation = api_schema[path][method.upper()]
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    strategy = st.one_of([operation.as_strategy(generation_mode=m, auth_storage=api_schema.auth) for m in modes])

    @given(case=strategy)
    @settings(max_examples=2 * MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS, timeout=30)

    run()
