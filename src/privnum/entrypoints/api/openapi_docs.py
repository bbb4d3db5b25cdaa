"""The OpenAPI description of the Huawei interfaces: what ``/openapi.json`` states about them.

The Huawei routers read their bodies and query strings themselves (``parse_body`` / ``parse_query``), so FastAPI
sees no request models. This module adds, to every Huawei operation of the generated document:

- the request body and query parameters, from the pydantic request models, with the constraints their validators
  enforce (number pattern and length, enums, ranges, city-code syntax) and the range checks the routers and use
  cases apply on top (``duration``, ``maxDuration``, AXE lifetimes per ``timeUnit``, ...);
- the AKSK security scheme (``Authorization`` + ``X-AKSK`` headers, see docs/contract/auth.md);
- the answers: 200 with ``resultcode`` ``"0"``, ``resultdesc`` and the operation's fields; refusals 400/401/403/500
  with the ``resultcode`` / ``resultdesc`` envelope only (docs/contract/result-codes.md).

The sandbox API keeps the schema FastAPI makes for it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from privnum.domain.lifetimes import (
    AXE_MAX_HOURS,
    AXE_MAX_MINUTES,
    MAX_CALL_MINUTES,
    MAX_DURATION_S,
    MIN_DURATION_S,
    TEMP_CALLEE_MAX_S,
)
from privnum.entrypoints.api import (
    ax_router,
    ax_schemas,
    axb_router,
    axb_schemas,
    axe_router,
    axe_schemas,
    axyb_router,
    axyb_schemas,
    call_control_router,
    recording_router,
)
from privnum.entrypoints.api.wire import JSON_MEDIA_TYPE
from privnum.huawei.fields import _area_code, _enum_text, _flag, _global_number, _user_data

REF = "#/components/schemas/{model}"

# --- field types -------------------------------------------------------------------------------------------------

NUMBER = {"type": "string", "minLength": 4, "maxLength": 31, "pattern": r"^\+[1-9][0-9]{2,29}$",
          "description": "a number in global format: + country code and digits (+8613800000000); in a query "
                         "string the + is sent as %2B"}
FLAG = {"anyOf": [{"type": "boolean"},
                  {"type": "string", "pattern": r"^\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\s*$"}],
        "description": '"true" or "false" (any case); a JSON boolean is accepted too'}
ZERO_ONE = {"enum": ["0", "1", 0, 1], "description": '"0" or "1"; a bare JSON integer is accepted too'}
AREA_CODE = {"type": "string", "maxLength": 32, "pattern": r"^\s*0?[1-9][0-9]{1,3}\s*$",
             "description": "a city code with or without its leading 0 (0755, 755, 010)"}
USER_DATA_PATTERN = r"^[^{}^\x00]*$"  # no braces or carets (Huawei), and no NUL (every text)
EXTENSION = {"type": "string", "pattern": "^([1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9])$",
             "description": "E: digits, not all zero, exactly the app's extension length (1-4, set at app creation)"}


def _integer(low: int, high: int, description: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": high}
    if description:
        schema["description"] = description
    return schema


DURATION = {"type": "integer", "anyOf": [{"const": 0}, {"minimum": MIN_DURATION_S, "maximum": MAX_DURATION_S}],
            "description": f"seconds: 0 (never expires) or {MIN_DURATION_S}-{MAX_DURATION_S}"}
MAX_CALL = _integer(0, MAX_CALL_MINUTES, "minutes a call may last: 0 (no limit) or up to 1440")
TEMP_CALLEE_DURATION = _integer(1, TEMP_CALLEE_MAX_S, "seconds the temporary callee holds")
AXE_LIFETIME = _integer(0, AXE_MAX_MINUTES, f"0 (never expires) or up to {AXE_MAX_HOURS} hours (timeUnit 0) / "
                                            f"{AXE_MAX_MINUTES} minutes (timeUnit 1)")
MINUTES = {"enum": ["1", 1]}


NO_NUL = r"^[^\x00]*$"


class _WireJsonSchema(GenerateJsonSchema):
    """Pydantic's JSON Schema, plus what the wire types' validator functions accept."""

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> JsonSchemaValue:
        function = schema["function"]["function"]
        if function is _flag:
            return copy.deepcopy(FLAG)
        if function is _enum_text:
            return copy.deepcopy(ZERO_ONE)
        return super().function_before_schema(schema)

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        """Every text refuses NUL (WireModel._text); a pattern of the field's own comes on top."""
        return {"pattern": NO_NUL, **super().str_schema(schema)}

    def function_after_schema(self, schema: core_schema.AfterValidatorFunctionSchema) -> JsonSchemaValue:
        inner = super().function_after_schema(schema)
        function = schema["function"]["function"]
        if function is _global_number:
            return {**inner, **NUMBER}
        if function is _area_code:
            return {**inner, **AREA_CODE}
        if function is _user_data:
            return {**inner, "pattern": USER_DATA_PATTERN}
        return inner


_KEYWORDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _tidy(node: Any) -> Any:
    """Constraints pydantic could not place on a validator function ("ge", "le") as JSON Schema keywords."""
    if isinstance(node, dict):
        return {_KEYWORDS.get(k, k) if not isinstance(v, dict | list) else k: _tidy(v) for k, v in node.items()
                if k != "title"}
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    return node


# --- operations --------------------------------------------------------------------------------------------------


@dataclass
class Operation:
    name: str  # names the operation's success schema
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    answer: dict[str, Any] | None = None  # the fields of a success besides resultcode / resultdesc
    required_answer: tuple[str, ...] = ()
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)  # field -> schema replacing the model's
    body_rules: dict[str, Any] = field(default_factory=dict)  # extra JSON Schema keywords on the body object
    rules: tuple[str, ...] = ()  # rules JSON Schema cannot state (across query parameters, per app, per binding)
    redirect: bool = False


def _obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


TEXT = {"type": "string"}
ID = {"type": "string", "minLength": 1, "maxLength": 64}
TRUE_FALSE = {"type": "string", "enum": ["true", "false"]}
SUBSCRIBE_TIME = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"}
PRE_VOICE = _obj({"callerHintTone": TEXT, "calleeHintTone": TEXT})
COUNT = {"type": "integer", "minimum": 0}
ANSWER_NUMBER = {"type": "string", "pattern": r"^\+[1-9][0-9]{2,29}$"}

RELATION_INFO = _obj({
    "subscriptionId": ID, "relationNum": ANSWER_NUMBER, "callerNum": ANSWER_NUMBER, "calleeNum": ANSWER_NUMBER,
    "callDirection": _integer(0, 2), "duration": COUNT, "maxDuration": COUNT, "recordFlag": TRUE_FALSE,
    "privateSms": TRUE_FALSE, "subscribeTime": SUBSCRIBE_TIME, "recordHintTone": TEXT, "lastMinVoice": TEXT,
    "preVoice": PRE_VOICE, "userData": TEXT,
}, ("subscriptionId", "relationNum", "callerNum", "calleeNum", "callDirection", "duration", "maxDuration",
    "recordFlag", "privateSms", "subscribeTime"))
PRIVATE_NUM_INFO = _obj({
    "subscriptionId": ID, "origNum": ANSWER_NUMBER, "privateNum": ANSWER_NUMBER, "privateNumType": {
        "const": "mobile-virtual"}, "subscribeTime": SUBSCRIBE_TIME, "recordFlag": TRUE_FALSE, "privateSms": TRUE_FALSE,
    "maxDuration": COUNT, "turnFlag": {"enum": ["on", "off"]}, "recordHintTone": TEXT,
    "calleeNumDisplay": {"enum": ["0", "1"]}, "preVoice": PRE_VOICE, "lastMinVoice": TEXT,
    "callDirection": _integer(0, 2), "userData": TEXT,
}, ("subscriptionId", "origNum", "privateNum", "privateNumType", "subscribeTime", "recordFlag", "privateSms",
    "maxDuration", "turnFlag"))
AXE_INFO_FIELDS = {
    "subscriptionId": ID, "virtualNum": ANSWER_NUMBER, "extendNum": {"type": "string", "pattern": "^[0-9]{1,4}$"},
    "bindNum": ANSWER_NUMBER, "displayNumMode": {"enum": ["0", "1"]}, "recordFlag": TRUE_FALSE,
    "timeUnit": {"enum": ["0", "1"]}, "bindExpiredTime": COUNT, "callbackExpiredTime": COUNT,
    "recordHintTone": TEXT, "callbackTone": TEXT, "callbackNum": ANSWER_NUMBER, "userData": TEXT,
}
AXE_INFO_REQUIRED = ("subscriptionId", "virtualNum", "extendNum", "bindNum", "displayNumMode", "recordFlag",
                     "timeUnit", "bindExpiredTime", "callbackExpiredTime")
XY_RELATION_INFO = _obj({
    "bindId": ID, "numA": ANSWER_NUMBER, "numX": ANSWER_NUMBER, "recordFlag": TRUE_FALSE,
    "callDirection": _integer(0, 2), "duration": {"type": "string", "pattern": "^[0-9]+$"},
    "ybDuration": {"type": "string", "pattern": "^[0-9]+$"}, "subscribeTime": SUBSCRIBE_TIME,
    "recordHintTone": TEXT, "preVoiceX": TEXT, "userData": TEXT, "numY": ANSWER_NUMBER, "numB": ANSWER_NUMBER,
    "preVoiceY": TEXT,
}, ("bindId", "numA", "numX", "recordFlag", "callDirection", "duration", "ybDuration", "subscribeTime"))


def _one_of_required(*names: str | tuple[str, ...]) -> dict[str, Any]:
    """At least one of ``names`` (a tuple: all of those) must be given, not null: null reads as absent."""
    branches = []
    for group in names:
        fields = list(group) if isinstance(group, tuple) else [group]
        branches.append({"required": fields, "properties": {f: {"not": {"type": "null"}} for f in fields}})
    return {"anyOf": branches}


AXB_LIFETIMES = {"duration": DURATION, "maxDuration": MAX_CALL}
AXE_LIFETIME_RULES = {
    "if": {"required": ["timeUnit"], "properties": {"timeUnit": MINUTES}},
    "then": {"properties": {"bindExpiredTime": {"anyOf": [{"type": "null"}, {"maximum": AXE_MAX_MINUTES}]},
                            "callbackExpiredTime": {"anyOf": [{"type": "null"}, {"maximum": AXE_MAX_MINUTES}]}}},
    "else": {"properties": {"bindExpiredTime": {"anyOf": [{"type": "null"}, {"maximum": AXE_MAX_HOURS}]},
                            "callbackExpiredTime": {"anyOf": [{"type": "null"}, {"maximum": AXE_MAX_HOURS}]}}},
    "not": {"required": ["callbackTone", "callbackNum"]},
}
AXE_BY_NUMBERS = ("virtualNum", "extendNum")
AXB_TARGET = "subscriptionId or relationNum is required."
AXE_TARGET = "subscriptionId, or virtualNum together with extendNum, is required."
EXTENSION_LENGTH = "extendNum has exactly the app's extension length (set at app creation)."
APP_KEY = "The app_key URL parameter must be the APP_Key the request is signed with (else 1010003)."

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("post", axb_router.URI): Operation(
        "CreateAXBBinding",
        rules=("callerNum and calleeNum must differ.",),
        body=axb_schemas.AxbBindBody, answer={"subscriptionId": ID, "relationNum": ANSWER_NUMBER},
        required_answer=("subscriptionId", "relationNum"), overrides=AXB_LIFETIMES),
    ("delete", axb_router.URI): Operation("UnbindAXB", query=axb_schemas.AxbUnbindQuery, rules=(AXB_TARGET,)),
    ("put", axb_router.URI): Operation("ModifyAXBBinding", body=axb_schemas.AxbModifyBody, overrides=AXB_LIFETIMES),
    ("get", axb_router.URI): Operation(
        "QueryAXBBinding",
        rules=(AXB_TARGET,),
        query=axb_schemas.AxbQueryParams,
        answer={"app_key": TEXT, "totalCount": COUNT, "pageIndex": {"type": "integer", "minimum": 1},
                "pageSize": _integer(10, 100), "relationNumList": {"type": "array", "items": RELATION_INFO}},
        required_answer=("app_key", "totalCount", "pageIndex", "pageSize", "relationNumList"),
        overrides={"pageSize": {"type": "integer", "description": "10-100; absent or out of range means 50"}}),
    ("post", ax_router.URI): Operation(
        "CreateAXBinding",
        body=ax_schemas.AxBindBody,
        answer={"origNum": ANSWER_NUMBER, "privateNum": ANSWER_NUMBER, "subscriptionId": ID},
        required_answer=("origNum", "privateNum", "subscriptionId"), overrides={"maxDuration": MAX_CALL},
        body_rules=_one_of_required("privateNum", "areaCode")),
    ("delete", ax_router.URI): Operation("UnbindAX", query=ax_schemas.AxUnbindQuery,
                                         rules=("subscriptionId or privateNum is required.",)),
    ("put", ax_router.URI): Operation("ModifyAXBinding", body=ax_schemas.AxModifyBody,
                                      overrides={"maxDuration": MAX_CALL},
                                      body_rules=_one_of_required("subscriptionId", "privateNum")),
    ("get", ax_router.URI): Operation(
        "QueryAXBinding",
        rules=("One of subscriptionId, origNum or privateNum is required.",),
        query=ax_schemas.AxQueryParams, answer={"privateNumList": {"type": "array", "items": PRIVATE_NUM_INFO}},
        required_answer=("privateNumList",)),
    ("put", ax_router.CALLEE_URI): Operation(
        "SetAXTemporaryCallee",
        body=ax_schemas.TemporaryCalleeBody, overrides={"duration": TEMP_CALLEE_DURATION},
        body_rules=_one_of_required("subscriptionId", "privateNum")),
    ("post", axe_router.URI): Operation(
        "CreateAXEBinding",
        rules=(EXTENSION_LENGTH,),
        body=axe_schemas.AxeBindBody,
        answer={"subscriptionId": ID, "virtualNum": ANSWER_NUMBER, "extendNum": AXE_INFO_FIELDS["extendNum"]},
        required_answer=("subscriptionId", "virtualNum", "extendNum"),
        overrides={"extendNum": EXTENSION, "bindExpiredTime": AXE_LIFETIME, "callbackExpiredTime": AXE_LIFETIME},
        body_rules=AXE_LIFETIME_RULES),
    ("delete", axe_router.URI): Operation("UnbindAXE", query=axe_schemas.AxeTargetFields,
                                          overrides={"extendNum": EXTENSION}, rules=(AXE_TARGET, EXTENSION_LENGTH)),
    ("put", axe_router.URI): Operation(
        "ModifyAXEBinding",
        rules=(EXTENSION_LENGTH, "Without timeUnit, bindExpiredTime and callbackExpiredTime are in the binding's unit "
                                 "(the schema states the limit in hours, the stricter one)."),
        body=axe_schemas.AxeModifyBody,
        overrides={"extendNum": EXTENSION, "bindExpiredTime": AXE_LIFETIME, "callbackExpiredTime": AXE_LIFETIME},
        body_rules={**AXE_LIFETIME_RULES, **_one_of_required("subscriptionId", AXE_BY_NUMBERS)}),
    ("get", axe_router.URI): Operation(
        "QueryAXEBinding",
        rules=(AXE_TARGET, EXTENSION_LENGTH),
        query=axe_schemas.AxeTargetFields, answer=AXE_INFO_FIELDS, required_answer=AXE_INFO_REQUIRED,
        overrides={"extendNum": EXTENSION}),
    ("get", axe_router.URI_V2): Operation(
        "QueryAXEBindingV2",
        rules=("subscriptionId, or virtualNum, is required: virtualNum with extendNum finds one binding, virtualNum "
               "alone pages through the bindings on that number.", EXTENSION_LENGTH),
        query=axe_schemas.AxeQueryV2Params,
        answer={"nextCusor": {"type": "string", "pattern": r"^[0-9]{13}_[0-9]{1,20}$"},
                "axeBindingList": {"type": "array", "items": _obj(AXE_INFO_FIELDS, AXE_INFO_REQUIRED)}},
        required_answer=("axeBindingList",),
        overrides={"extendNum": EXTENSION,
                   "cursor": {"type": "string", "pattern": r"^[0-9]{13}_0*([0-9]{1,9}|1000000000)$",
                              "maxLength": 34, "description": "13-digit creation time in ms, _, the offset "
                                                              "(at most 1000000000); first page 0000000000000_0"},
                   "limit": {"type": "integer", "description": "1-100; absent or out of range means 50"}}),
    ("post", axyb_router.URI): Operation(
        "CreateAXYBBinding",
        rules=(APP_KEY,),
        query=axyb_schemas.AppKeyParam, body=axyb_schemas.AxybBindBody,
        answer={"subscriptionId": ID, "relationNumber": ANSWER_NUMBER},
        required_answer=("subscriptionId", "relationNumber"),
        overrides={"duration": DURATION, "ybDuration": DURATION},
        body_rules=_one_of_required("subscriptionId", "areaCode")),
    ("delete", axyb_router.URI): Operation("UnbindAXYB",
        rules=(APP_KEY,), query=axyb_schemas.AxybUnbindQuery),
    ("get", axyb_router.URI): Operation(
        "QueryAXYBBinding",
        rules=(APP_KEY, "subscriptionId or relationNum is required."),
        query=axyb_schemas.AxybQueryParams,
        answer={"xyRelationNumList": {"type": "array", "maxItems": axyb_schemas.LIST_LIMIT,
                                      "items": XY_RELATION_INFO}},
        required_answer=("xyRelationNumList",)),
    ("post", call_control_router.URI): Operation(
        "CallStop",
        body=call_control_router.CallStopBody,
        overrides={"sessionid": {"type": "string", "minLength": 1},
                   "signal": {"type": "string", "const": "call_stop"}}),
    ("get", recording_router.URI): Operation("GetRecordingDownloadUrl", query=recording_router.RecordQuery,
                                             redirect=True),
}

SECURITY_SCHEMES = {
    "Authorization": {"type": "apiKey", "in": "header", "name": "Authorization",
                      "description": 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'},
    "X-AKSK": {"type": "apiKey", "in": "header", "name": "X-AKSK",
               "description": 'UsernameToken Username="<APP_Key>",PasswordDigest="<base64 HMAC-SHA256 of '
                              'Nonce+Created with the APP_Secret>",Nonce="<fresh, 1-64 chars>",'
                              'Created="<UTC YYYY-MM-DDTHH:MM:SSZ>" (docs/contract/auth.md)'},
}
REFUSAL = {"type": "object", "additionalProperties": False, "required": ["resultcode", "resultdesc"],
           "properties": {"resultcode": {"type": "string", "minLength": 1, "maxLength": 32, "not": {"const": "0"}},
                          "resultdesc": {"type": "string", "minLength": 1, "maxLength": 256}},
           "description": "a refusal: the result code and its text (docs/contract/result-codes.md)"}
REFUSAL_STATUSES = {"400": "malformed authentication headers (1023xxx)",
                    "401": "wrong digest, reused nonce or clock out of the window (1010010, 1010013)",
                    "403": "refused: malformed parameter (1010002) or a business rule (docs/contract/result-codes.md)",
                    "500": "internal error (1010001)"}


class _Components:
    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def model(self, model: type[BaseModel]) -> dict[str, Any]:
        schema = _tidy(model.model_json_schema(ref_template=REF, schema_generator=_WireJsonSchema))
        for name, definition in schema.pop("$defs", {}).items():
            self.schemas.setdefault(name, definition)
        return schema


def _replace_value_schema(prop: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` in place of the non-null branch of ``prop`` (null stays allowed: it reads as absent)."""
    branches = prop.get("anyOf")
    if isinstance(branches, list) and {"type": "null"} in branches:
        return {"anyOf": [copy.deepcopy(override), {"type": "null"}]}
    return copy.deepcopy(override)


def _model_schema(components: _Components, model: type[BaseModel], op: Operation) -> dict[str, Any]:
    schema = components.model(model)
    properties = schema.get("properties", {})
    for name, override in op.overrides.items():
        if name in properties:
            properties[name] = _replace_value_schema(properties[name], override)
    return schema


def _query_parameters(components: _Components, op: Operation) -> list[dict[str, Any]]:
    assert op.query is not None
    schema = _model_schema(components, op.query, op)
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = {k: v for k, v in prop.items() if k != "default"}
        branches = prop.get("anyOf")
        if isinstance(branches, list) and {"type": "null"} in branches:  # a query value is never null
            rest = [b for b in branches if b != {"type": "null"}]
            prop = rest[0] if len(rest) == 1 else {"anyOf": rest}
        parameters.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    return parameters


def _responses(op: Operation, success_name: str) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if op.redirect:
        responses["301"] = {"description": "the recording's signed download link, in Location (no body)",
                            "headers": {"Location": {"required": True, "schema": {"type": "string"}}}}
    else:
        success = {"type": "object", "additionalProperties": False,
                   "required": ["resultcode", "resultdesc", *op.required_answer],
                   "properties": {"resultcode": {"const": "0"}, "resultdesc": {"const": "Success."},
                                  **(op.answer or {})}}
        responses["200"] = {"description": "success", "content": {
            JSON_MEDIA_TYPE: {"schema": {"$ref": REF.format(model=success_name)}}}}
        responses["__success__"] = success
    for status, text in REFUSAL_STATUSES.items():
        responses[status] = {"description": text,
                             "content": {JSON_MEDIA_TYPE: {"schema": {"$ref": REF.format(model="Refusal")}}}}
    return responses


def describe(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (FastAPI's OpenAPI) with every Huawei operation's request, answers and security."""
    components = _Components()
    for (method, path), op in OPERATIONS.items():
        entry = document["paths"][path][method]
        success_name = f"{op.name}Success"
        if op.rules:
            entry["description"] = "\n".join(f"- {rule}" for rule in op.rules)
        if op.query is not None:
            entry["parameters"] = _query_parameters(components, op)
        if op.body is not None:
            body = _model_schema(components, op.body, op)
            body.update(copy.deepcopy(op.body_rules))
            components.schemas[op.body.__name__] = body
            entry["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}}}
        responses = _responses(op, success_name)
        success = responses.pop("__success__", None)
        if success is not None:
            components.schemas[success_name] = success
        entry["responses"] = responses
        entry["security"] = [{"Authorization": [], "X-AKSK": []}]
    components.schemas["Refusal"] = REFUSAL
    target = document.setdefault("components", {})
    target.setdefault("schemas", {}).update(components.schemas)
    target.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    return document


def install(app: FastAPI) -> None:
    """Serve ``describe``'s document as the app's ``/openapi.json``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(FastAPI.openapi(app))  # FastAPI's document, then the Huawei parts
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
