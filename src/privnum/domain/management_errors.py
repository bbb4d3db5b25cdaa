"""Why a management action (console, management API, CLI) was refused: a stable code, a sentence saying what
to do next, and the kind of refusal, which the management API maps to its HTTP status."""

from __future__ import annotations

from enum import StrEnum

from privnum.domain.operator_errors import OperatorError


class RefusalKind(StrEnum):
    INVALID = "invalid"  # 422: the request breaks a rule of its own content
    CONFLICT = "conflict"  # 409: the request is fine, the state of things forbids it now
    NOT_FOUND = "not_found"  # 404 (also what a tenant sees for another tenant's things)
    FORBIDDEN = "forbidden"  # 403: signed in, but this role may not
    UNAUTHENTICATED = "unauthenticated"  # 401
    THROTTLED = "throttled"  # 429


class ManagementError(OperatorError):
    kind = RefusalKind.CONFLICT

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class Invalid(ManagementError):
    kind = RefusalKind.INVALID


class Conflict(ManagementError):
    kind = RefusalKind.CONFLICT


class NotFound(ManagementError):
    kind = RefusalKind.NOT_FOUND

    def __init__(self, what: str, message: str | None = None) -> None:
        super().__init__("not_found", message or f"no such {what}")


class Forbidden(ManagementError):
    kind = RefusalKind.FORBIDDEN

    def __init__(self, message: str = "your role may not do this; ask your account admin") -> None:
        super().__init__("forbidden", message)


class Unauthenticated(ManagementError):
    kind = RefusalKind.UNAUTHENTICATED

    def __init__(self, message: str = "sign in first") -> None:
        super().__init__("unauthenticated", message)


class Throttled(ManagementError):
    kind = RefusalKind.THROTTLED

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("too_many_attempts",
                         f"too many failed sign-ins; try again in {retry_after_s} seconds")
        self.retry_after_s = retry_after_s
