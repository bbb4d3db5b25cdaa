"""What the log lines of the current task are about: the call's session id, the binding's subscription id and the
app, kept in context variables so every line logged while a call or a binding is handled carries them (JSON logs,
``privnum serve --log-format json``) and one call can be followed across nodes by its session id.

asyncio copies the context into each task it creates: set them before creating a task that works on the call."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

session_id: ContextVar[str | None] = ContextVar("privnum_session_id", default=None)
subscription_id: ContextVar[str | None] = ContextVar("privnum_subscription_id", default=None)
app: ContextVar[str | None] = ContextVar("privnum_app", default=None)  # the app key


def about(*, session: str | None = None, subscription: str | None = None, app_key: str | None = None) -> None:
    """From now on in this task (and the tasks it creates), lines are about these (None: left as they are)."""
    if session is not None:
        session_id.set(session)
    if subscription is not None:
        subscription_id.set(subscription)
    if app_key is not None:
        app.set(app_key)


@contextlib.contextmanager
def about_call(session: str, subscription: str | None, app_key: str | None) -> Iterator[None]:
    """Lines logged inside are about this call; the task's context is as before afterwards."""
    tokens = (session_id.set(session), subscription_id.set(subscription), app.set(app_key))
    try:
        yield
    finally:
        app.reset(tokens[2])
        subscription_id.reset(tokens[1])
        session_id.reset(tokens[0])


def current() -> dict[str, str]:
    """The fields known now, for a log record."""
    fields = {"session_id": session_id.get(), "subscription_id": subscription_id.get(), "app": app.get()}
    return {k: v for k, v in fields.items() if v is not None}
