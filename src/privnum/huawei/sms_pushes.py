"""The JSON bodies of Huawei's SMS events (huawei-wire.md §4.4): the Notify after a text was relayed or
dropped, and the Block event that asks the customer where a text goes. ``timeStamp`` is UTC
``yyyy-MM-ddTHH:mm:ss.SSSZ``; extParas values are strings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from privnum.domain.apps import App
from privnum.domain.sms.message import SmsMessage

EVENT = "TextSMS"


def sms_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _event(app: App, message: SmsMessage, mode: str, at_ms: int, segments: int, direction: int) -> dict[str, Any]:
    event: dict[str, Any] = {
        "smsIdentifier": message.sms_id, "notificationMode": mode, "calling": message.sender,
        "virtualNumber": message.x_number, "event": EVENT, "timeStamp": sms_time(at_ms),
        "extInfo": {"extParas": [{"key": "splitNum", "value": str(segments)},
                                 {"key": "direction", "value": str(direction)}]},
    }
    if message.binding_id:
        event["subscriptionId"] = message.binding_id
    if app.sms_content:
        event["smsContent"] = message.text
    return event


def notify_body(app: App, message: SmsMessage, at_ms: int) -> dict[str, Any]:
    """The Notify of a settled message: ``called``, the segments and the direction only when it was forwarded
    (a message refused by the gateway after its decision reports ``splitNum`` 0 and ``direction`` 2)."""
    sent = message.send_result == 0
    event = _event(app, message, "Notify", at_ms, message.segments if sent else 0,
                   message.direction if sent and message.direction is not None else 2)
    if sent and message.receiver:
        event = {**event, "called": message.receiver}
    event["sendResult"] = message.send_result if message.send_result is not None else 5
    if message.user_data:
        event["userData"] = message.user_data
    return {"appKey": app.app_key, "smsEvent": _order(event)}


def block_body(app: App, message: SmsMessage, at_ms: int, segments: int, direction: int,
               user_data: str | None) -> dict[str, Any]:
    event = _event(app, message, "Block", at_ms, segments, direction)
    if user_data:
        event["userData"] = user_data
    return {"appKey": app.app_key, "smsEvent": _order(event)}


_ORDER = ("smsIdentifier", "notificationMode", "calling", "called", "virtualNumber", "event", "timeStamp",
          "extInfo", "subscriptionId", "smsContent", "sendResult", "areaCode", "userData")


def _order(event: dict[str, Any]) -> dict[str, Any]:
    """Huawei's documented field order (receivers should not care; logs read better)."""
    return {k: event[k] for k in _ORDER if k in event}


class HuaweiSmsPushes:
    """The relay's SmsPushFormatter: Huawei's bodies."""

    def notify(self, app: App, message: SmsMessage, at_ms: int) -> dict[str, Any]:
        return notify_body(app, message, at_ms)

    def block(self, app: App, message: SmsMessage, at_ms: int, segments: int, direction: int,
              user_data: str | None) -> dict[str, Any]:
        return block_body(app, message, at_ms, segments, direction, user_data)
