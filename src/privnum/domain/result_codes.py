"""Every result code privnum answers with, in one table, and the exception that carries one.

The HTTP status of each code follows the grouping of Huawei's result-code tables
(400: header problems, 401: digest and clock, 403: request and business refusals,
500: internal). The text is Huawei's English ``resultdesc``; a refusal may add a detail
sentence after it that says what exactly was wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class Code:
    code: str
    http_status: int
    text: str


class ResultCode(Enum):
    SUCCESS = Code("0", 200, "Success.")

    # Authorization header (AKSK and legacy WSSE)
    AUTHORIZATION_MISSING = Code("1023006", 400, "Authorization not contained in the HTTP header.")
    REALM_MISSING = Code("1023007", 400, "realm not contained in Authorization.")
    PROFILE_MISSING = Code("1023008", 400, "profile not contained in Authorization.")
    REALM_INVALID = Code("1023009", 400, "The value of realm in Authorization must be SDP.")
    PROFILE_INVALID = Code("1023010", 400, "The value of profile in Authorization must be UsernameToken.")
    TYPE_INVALID = Code("1023011", 400, "The value of type in Authorization must be app_key.")
    TYPE_MISSING = Code("1023012", 400, "type not contained in Authorization.")
    WSSE_NOT_IN_AUTHORIZATION = Code("1023013", 400, "WSSE not contained in Authorization.")
    X_WSSE_MISSING = Code("1023026", 400, "X-WSSE not contained in the HTTP header.")
    WSSE_USERNAME_MISSING = Code("1023027", 400, "Username not contained in X-WSSE.")
    WSSE_NONCE_MISSING = Code("1023028", 400, "Nonce not contained in X-WSSE.")
    WSSE_CREATED_MISSING = Code("1023029", 400, "Created not contained in X-WSSE.")
    WSSE_DIGEST_MISSING = Code("1023030", 400, "PasswordDigest not contained in X-WSSE.")
    X_AKSK_MISSING = Code("1023033", 400, "HTTP header not found X-AKSK field.")
    AKSK_USERNAME_MISSING = Code("1023034", 400, "UserName not contained in X-AKSK.")
    AKSK_NONCE_MISSING = Code("1023035", 400, "Nonce not contained in X-AKSK.")
    AKSK_CREATED_MISSING = Code("1023036", 400, "Created not contained in X-AKSK.")
    AKSK_DIGEST_MISSING = Code("1023037", 400, "PasswordDigest not contained in X-AKSK.")

    # Digest and clock
    INVALID_DIGEST = Code("1010010", 401, "Invalid digest.")
    TIME_OUT_LIMIT = Code("1010013", 401, "Time out limit.")

    # Request and business refusals
    INVALID_REQUEST = Code("1010002", 403, "Invalid request.")
    INVALID_APP_KEY = Code("1010003", 403, "Invalid app_key.")
    INVALID_REST_API = Code("1010006", 403, "Invalid Rest API.")
    APP_KEY_UNAVAILABLE = Code("1010008", 403, "The status of the app_key is unavailable.")
    SUBSCRIBER_FROZEN = Code("1010029", 403, "The subscriber status is frozen.")
    API_NOT_ALLOWED = Code("1010040", 403, "The app_key is not allowed to invoke the API.")
    ACCOUNT_NOT_EXIST = Code("1011001", 403, "The account does not exist.")
    INSUFFICIENT_NUMBERS_AX = Code("1011002", 403, "Insufficient number resources.")
    USER_LIMIT_EXCEEDED = Code("1011003", 403, "Exceeded the upper limit of resources that can be applied for.")
    NUMBER_NOT_APPLIED = Code("1011004", 403, "The number is not applied for binding application.")
    RESOURCE_ALLOCATED = Code("1011005", 403, "Resources have been allocated.")
    NUMBER_NOT_IN_APP = Code("1012001", 403, "Resource of number is not to be applied.")
    RECORD_NOT_EXIST = Code("1012007", 403, "The record does not exist.")
    INSUFFICIENT_NUMBERS = Code("1012008", 403, "Insufficient number of resources.")
    BINDING_NOT_EXIST = Code("1016001", 403, "The record does not exist.")
    RELATION_BOUND = Code("1012010", 403, "The relation number has been bound.")
    RECORDING_NOT_ENABLED = Code("1012012", 403, "Application does not open recording function.")
    NUMBER_STATUS_ABNORMAL = Code("1012102", 403, "The number status is abnormal.")
    PARAMETER_ERROR = Code("1020001", 403, "Parameter error.")
    INVALID_SESSION_ID = Code("1020152", 403, "Invalid sessionId.")
    APP_CLIENT_IP_NOT_ALLOWED = Code("1020166", 403, "The app client ip is not in ip white list.")
    NO_IDLE_EXTENSION = Code("1020167", 403, "No idle extend Number.")
    AUTH_LOCKED_OUT = Code("1020176", 403, "Authentication failed, try again later")

    # Internal
    INTERNAL_ERROR = Code("1010001", 500, "Internal system error.")

    @property
    def code(self) -> str:
        return self.value.code

    @property
    def http_status(self) -> int:
        return self.value.http_status

    @property
    def text(self) -> str:
        return self.value.text


class Refused(Exception):
    """A request privnum declines: carries the result code and a sentence saying why.

    ``field`` names the offending input in the domain's words ("caller", "binding", ...); the API
    layer renames it to the wire's field name of the interface that was called.
    """

    def __init__(self, result: ResultCode, detail: str = "", field: str | None = None) -> None:
        super().__init__(f"{result.code} {result.text} {field or ''} {detail}".strip())
        self.result = result
        self.detail = detail
        self.field = field

    @property
    def description(self) -> str:
        detail = f"{self.field}: {self.detail}" if self.field else self.detail
        if not detail:
            return self.result.text
        separator = " " if self.result.text.endswith(".") else ". "
        return f"{self.result.text}{separator}{detail}"

    def renamed(self, names: Mapping[str, str]) -> Refused:
        """The same refusal with its field named as ``names`` says (unchanged when not listed)."""
        if self.field is None or self.field not in names:
            return self
        return Refused(self.result, self.detail, names[self.field])


def invalid(field: str, problem: str) -> Refused:
    """1010002 naming the offending parameter, as Huawei's resultdesc does."""
    return Refused(ResultCode.INVALID_REQUEST, problem, field)
