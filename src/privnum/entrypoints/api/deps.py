"""Typed FastAPI dependencies: the runtime ``bootstrap`` built for this process, and the ports routers use.

``request.app.state`` is Starlette's untyped ``State``; these aliases are the one place that reads it,
so every router parameter is typed by the port it gets (``store: Provisioning``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from privnum.bootstrap import Runtime
from privnum.service.calls.ports import CallControl
from privnum.service.provisioning.ports import ProvisioningStore
from privnum.service.recordings import Recordings


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


# The dependencies are coroutines: FastAPI runs a plain function dependency in its thread pool, a thread
# hop per request that costs the hot path (measured: AXB binds and queries 15-35 % slower).
async def _runtime(request: Request) -> Runtime:
    return runtime_of(request)


async def _provisioning(request: Request) -> ProvisioningStore:
    return runtime_of(request).provisioning


async def _call_control(request: Request) -> CallControl:
    return runtime_of(request).call_control


async def _recordings(request: Request) -> Recordings:
    return runtime_of(request).recordings


RuntimeDep = Annotated[Runtime, Depends(_runtime)]
Provisioning = Annotated[ProvisioningStore, Depends(_provisioning)]
CallControlDep = Annotated[CallControl, Depends(_call_control)]
RecordingsDep = Annotated[Recordings, Depends(_recordings)]
