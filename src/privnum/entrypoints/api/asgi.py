"""The ASGI entry for uvicorn: ``privnum.entrypoints.api.asgi:app`` (settings from the environment)."""

from privnum.entrypoints.api.app import create_app

app = create_app()
