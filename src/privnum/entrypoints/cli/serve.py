"""``privnum serve``: migrate the database, then run the API server."""

from __future__ import annotations

import os

import typer

from privnum.bootstrap import migrate
from privnum.config import Settings
from privnum.entrypoints.cli.common import console


def serve(host: str = typer.Option(None, help="Address to listen on (default 127.0.0.1)."),
          port: int = typer.Option(None, help="Port (default 8080)."),
          workers: int = typer.Option(1, help="Worker processes."),
          time_scale: float = typer.Option(None, help="Multiply push-retry delays (0.001: a minute is 60 ms)."),
          sandbox: bool = typer.Option(None, "--sandbox/--no-sandbox", help="Serve the sandbox telephony API."),
          log_level: str = typer.Option("warning", help="uvicorn log level.")) -> None:
    """Migrate the database, then serve the API (and deliver pushes, sweep expiries)."""
    import uvicorn

    if time_scale is not None:
        if time_scale <= 0:
            raise typer.BadParameter("must be greater than 0", param_hint="--time-scale")
        os.environ["PRIVNUM_TIME_SCALE"] = str(time_scale)
    if sandbox is not None:
        os.environ["PRIVNUM_SANDBOX"] = "1" if sandbox else "0"
    chosen = Settings.from_env(host=host, port=port)
    os.environ["PRIVNUM_HOST"], os.environ["PRIVNUM_PORT"] = chosen.host, str(chosen.port)
    migrate(chosen)
    console.print(f"privnum serving on http://{chosen.host}:{chosen.port} (database {chosen.database_url})")
    uvicorn.run("privnum.entrypoints.api.asgi:app", host=chosen.host, port=chosen.port, workers=workers,
                loop="uvloop", http="httptools", log_level=log_level, access_log=False)

