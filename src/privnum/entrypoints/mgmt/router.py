"""Every management router, in one list: adding an area is one line here."""

from __future__ import annotations

from fastapi import APIRouter

from privnum.entrypoints.mgmt import (
    admin_routes,
    audit_routes,
    review_routes,
    session_routes,
    users_routes,
    voice_routes,
)

AREAS: list[APIRouter] = [
    session_routes.router,
    users_routes.router,
    review_routes.router,
    admin_routes.router,
    audit_routes.router,
    voice_routes.router,
]
