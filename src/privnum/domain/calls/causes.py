"""Why a call ended: Huawei's hang-up causes (stateCode in disconnect events, ulFailReason in CDRs)
and the Q.850 cause values (fwdUnaswRsn) that go with a failed forward."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Cause(IntEnum):
    NORMAL = 0
    PORTS_EXHAUSTED = 522
    APP_MISSING = 7100
    INTERNAL_SERVICE_ERROR = 7102
    USER_FROZEN = 7108
    CALLER_HUNG_UP_BEFORE_RING = 7501
    CALLER_HUNG_UP_AFTER_RING = 7502
    CALLEE_REJECTED = 7503
    CALL_REFUSED = 7504
    CALLEE_NETWORK_ABNORMAL = 7506
    VOICE_FILE_MISSING = 7507
    CALLER_HUNG_UP_BEFORE_TRANSFER = 7516
    X_MODE_VOICE_MISSING = 8006
    MAX_DURATION_REACHED = 8010
    INVALID_AX_CALL = 8013
    NO_BINDING = 8014
    RECORDING_FAILED = 8015
    DIRECTION_NOT_ALLOWED = 8016
    CUSTOMER_HUNG_UP = 8017
    NO_PERMISSION = 8018
    NO_CALLBACK_RECORD = 8019
    EXTENSION_INVALID = 8022
    NUMBER_NOT_EXIST = 8025
    AXYB_NO_BINDING = 8030
    Y_ALLOCATION_FAILED = 8031
    DIALLED_OWN_NUMBER = 8032
    EXTENSION_EMPTY = 8033
    CONNECT_TIMEOUT = 8035
    INTERNAL_ERROR = 8040
    NUMBER_UNAVAILABLE = 8055
    CALLEE_NOT_EXIST = 8100
    NO_ANSWER = 8101
    CALLEE_BUSY = 8102
    CALLEE_ABNORMAL = 8103
    CALLEE_UNREACHABLE = 8104
    CALLEE_SUSPENDED = 8105


DESCRIPTIONS: dict[Cause, str] = {
    Cause.NORMAL: "The user releases the call.",
    Cause.PORTS_EXHAUSTED: "The platform voice ports are exhausted.",
    Cause.APP_MISSING: "The app does not exist.",
    Cause.INTERNAL_SERVICE_ERROR: "Service internal error.",
    Cause.USER_FROZEN: "The user is frozen.",
    Cause.CALLER_HUNG_UP_BEFORE_RING: "The caller hung up before the callee rang.",
    Cause.CALLER_HUNG_UP_AFTER_RING: "The caller hung up after the callee rang.",
    Cause.CALLEE_REJECTED: "The callee rejected the call.",
    Cause.CALL_REFUSED: "The call was refused.",
    Cause.CALLEE_NETWORK_ABNORMAL: "The callee-side network is abnormal.",
    Cause.VOICE_FILE_MISSING: "The voice file does not exist.",
    Cause.CALLER_HUNG_UP_BEFORE_TRANSFER: "The caller hung up before the call was transferred.",
    Cause.X_MODE_VOICE_MISSING: "The X mode voice file does not exist.",
    Cause.MAX_DURATION_REACHED: "The maximum call duration is reached.",
    Cause.INVALID_AX_CALL: "Invalid AX call: the AX binding has no temporary callee.",
    Cause.NO_BINDING: "Invalid call: the binding does not exist.",
    Cause.RECORDING_FAILED: "Recording failed.",
    Cause.DIRECTION_NOT_ALLOWED: "The call direction is not allowed.",
    Cause.CUSTOMER_HUNG_UP: "X mode: the customer instructed to hang up.",
    Cause.NO_PERMISSION: "No service permission.",
    Cause.NO_CALLBACK_RECORD: "No callback record.",
    Cause.EXTENSION_INVALID: "The extension binding does not exist or has expired.",
    Cause.NUMBER_NOT_EXIST: "The dialled privacy number does not exist.",
    Cause.AXYB_NO_BINDING: "The AXYB binding does not exist.",
    Cause.Y_ALLOCATION_FAILED: "Allocating a Y number failed during the call.",
    Cause.DIALLED_OWN_NUMBER: "The original number dialled its own privacy number.",
    Cause.EXTENSION_EMPTY: "The extension received is empty.",
    Cause.CONNECT_TIMEOUT: "The platform connect timed out.",
    Cause.INTERNAL_ERROR: "Internal error.",
    Cause.NUMBER_UNAVAILABLE: "The privacy number is unavailable.",
    Cause.CALLEE_NOT_EXIST: "The callee number does not exist.",
    Cause.NO_ANSWER: "The callee did not answer.",
    Cause.CALLEE_BUSY: "The callee is busy.",
    Cause.CALLEE_ABNORMAL: "The callee signal is abnormal.",
    Cause.CALLEE_UNREACHABLE: "The callee is powered off or unreachable.",
    Cause.CALLEE_SUSPENDED: "The callee is suspended.",
}

Q850_NORMAL_CLEARING = 16
Q850_NO_ANSWER = 19


@dataclass(frozen=True)
class ForwardFailure:
    """How a failed forward leg is reported: stateCode, Q.850 cause and the SIP status."""

    cause: Cause
    q850: int
    sip_status: int


_BY_SIP_STATUS: dict[int, tuple[Cause, int]] = {
    403: (Cause.CALL_REFUSED, 21),
    404: (Cause.CALLEE_NOT_EXIST, 1),
    408: (Cause.NO_ANSWER, 18),
    410: (Cause.CALLEE_NOT_EXIST, 22),
    480: (Cause.CALLEE_UNREACHABLE, 20),
    484: (Cause.CALLEE_NOT_EXIST, 28),
    486: (Cause.CALLEE_BUSY, 17),
    500: (Cause.CALLEE_ABNORMAL, 41),
    502: (Cause.CALLEE_ABNORMAL, 27),
    503: (Cause.CALLEE_ABNORMAL, 34),
    600: (Cause.CALLEE_BUSY, 17),
    603: (Cause.CALLEE_REJECTED, 21),
    604: (Cause.CALLEE_NOT_EXIST, 1),
}


def forward_failure(sip_status: int) -> ForwardFailure:
    """The stateCode and Q.850 cause for a SIP final response that failed the forwarded leg."""
    cause, q850 = _BY_SIP_STATUS.get(sip_status, (Cause.CALLEE_ABNORMAL, 31))
    return ForwardFailure(cause, q850, sip_status)


def description(cause: Cause) -> str:
    return DESCRIPTIONS.get(cause, "The call ended.")
