"""Every management router, in one list: adding an area is one line here."""

from __future__ import annotations

from fastapi import APIRouter

from privnum.entrypoints.mgmt import (
    a_number_routes,
    admin_routes,
    audit_routes,
    billing_notification_routes,
    billing_routes,
    inventory_routes,
    number_orders_routes,
    numbers_routes,
    package_routes,
    pushes_routes,
    records_routes,
    review_routes,
    session_routes,
    sms_records_routes,
    stats_routes,
    users_routes,
    voice_routes,
)
from privnum.entrypoints.mgmt.app_routes import router as app_router
from privnum.entrypoints.mgmt.enterprise_routes import router as enterprise_router

AREAS: list[APIRouter] = [
    session_routes.router,
    users_routes.router,
    review_routes.router,
    admin_routes.router,
    audit_routes.router,
    enterprise_router, app_router,
    records_routes.router, sms_records_routes.router, pushes_routes.router, stats_routes.router,
    a_number_routes.router,
    numbers_routes.router, number_orders_routes.router, inventory_routes.router,
    voice_routes.router,
    billing_routes.router, package_routes.router, billing_notification_routes.router,
]
