"""The ASGI entry for uvicorn: ``privnum.entrypoints.api.asgi:app`` (settings from the environment); Kannel's
endpoints answered ahead of the middleware stack."""

from privnum.entrypoints.api.app import create_app
from privnum.entrypoints.api.kannel_router import KannelFastPath

app = KannelFastPath(create_app())
