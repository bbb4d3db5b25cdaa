"""sippy's event loop (``ED2``) on a thread of its own. sippy binds its loop to the thread that first imports
it, so every sippy import happens on this thread (``start`` imports the B2BUA there); the asyncio side
talks to it only through ``call`` (``ED2.callFromThread``)."""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from typing import Any


class SipThread:
    def __init__(self) -> None:
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._ed2: Any = None
        self._result: Any = None
        self._error: BaseException | None = None

    def start(self, build: Callable[[Any], Any]) -> Any:
        """Start the loop and run ``build(b2bua_module)`` on it; its result (or its exception, raised here)."""
        # sippy logs every SIP message at INFO; PRIVNUM_SIP_TRACE=1 keeps that (to stdout), else warnings only
        os.environ.setdefault("SIPLOG_LVL", "INFO" if os.environ.get("PRIVNUM_SIP_TRACE") == "1" else "WARN")

        def run() -> None:
            try:
                module = importlib.import_module("privnum.adapters.telephony.sip.b2bua")
                from sippy.Core.EventDispatcher import ED2

                self._ed2 = ED2
                self._result = build(module)
            except BaseException as error:  # reported to the starting thread
                self._error = error
                self._ready.set()
                return
            self._ready.set()
            ED2.loop()

        self._thread = threading.Thread(target=run, name="privnum-sip", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self._result

    def call(self, function: Callable[..., Any], *args: Any) -> None:
        """Run ``function(*args)`` on the SIP thread, soon."""
        if self._ed2 is not None:
            self._ed2.callFromThread(function, *args)

    def stop(self, timeout_s: float = 2.0) -> None:
        if self._ed2 is not None and self._thread is not None:
            self._ed2.callFromThread(self._ed2.breakLoop)
            self._thread.join(timeout_s)
