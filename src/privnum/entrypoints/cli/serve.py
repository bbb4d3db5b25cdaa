"""``privnum serve``: migrate the database, check the SIP port, then run the API server (which runs the SIP
B2BUA too)."""

from __future__ import annotations

import contextlib
import errno
import logging
import logging.config
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from typing import Any

import typer

from privnum.bootstrap import migrate
from privnum.config import DEFAULT_SIP_LISTEN, Settings
from privnum.entrypoints.cli.common import console, fail
from privnum.entrypoints.json_logs import json_log_config


def serve(host: str = typer.Option(None, help="Address to listen on (default 127.0.0.1)."),
          port: int = typer.Option(None, help="Port (default 8080)."),
          workers: int = typer.Option(1, help="Worker processes."),
          keep_alive: int = typer.Option(None, "--keep-alive", help="Seconds an idle HTTP connection is kept "
                                                                     "open (default 75; env PRIVNUM_KEEPALIVE_S)."),
          time_scale: float = typer.Option(None, help="Multiply push-retry delays (0.001: a minute is 60 ms)."),
          sandbox: bool = typer.Option(None, "--sandbox/--no-sandbox", help="Serve the sandbox telephony API."),
          sip: bool = typer.Option(None, "--sip/--no-sip", help="Run the SIP B2BUA (default on)."),
          sip_listen: str = typer.Option(None, help=f"SIP HOST:PORT, UDP (default {DEFAULT_SIP_LISTEN}; "
                                                    "env PRIVNUM_SIP_LISTEN)."),
          sip_trunk: str = typer.Option(None, help="The carrier's HOST:PORT: every outgoing leg goes there, and "
                                                   "INVITEs are accepted from its host (env PRIVNUM_SIP_TRUNK)."),
          media_ip: str = typer.Option(None, help="Address of the RTP relay in SDP (default: the SIP host; "
                                                  "env PRIVNUM_MEDIA_IP)."),
          sms_gateway: str = typer.Option(None, help="Where SMS go out and come in: sandbox | kannel (default "
                                                     "sandbox; env PRIVNUM_SMS_GATEWAY, Kannel: PRIVNUM_KANNEL_*)."),
          log_level: str = typer.Option(None, help="Log level: warning (default), info, debug... "
                                                   "(env PRIVNUM_LOG_LEVEL)."),
          log_format: str = typer.Option(None, help="text (default) or json: one JSON object per line with the "
                                                    "session and subscription ids (env PRIVNUM_LOG_FORMAT).")) -> None:
    """Migrate the database, then serve the API and the SIP B2BUA (and deliver pushes, sweep expiries)."""
    import uvicorn

    if time_scale is not None:
        if time_scale <= 0:
            raise typer.BadParameter("must be greater than 0", param_hint="--time-scale")
        os.environ["PRIVNUM_TIME_SCALE"] = str(time_scale)
    if sandbox is not None:
        os.environ["PRIVNUM_SANDBOX"] = "1" if sandbox else "0"
    for variable, value in (("PRIVNUM_SIP_LISTEN", sip_listen), ("PRIVNUM_SIP_TRUNK", sip_trunk),
                            ("PRIVNUM_MEDIA_IP", media_ip)):
        if value is not None:
            os.environ[variable] = value
    if sip is not None:
        os.environ["PRIVNUM_SIP"] = "1" if sip else "0"
    if sms_gateway is not None:
        os.environ["PRIVNUM_SMS_GATEWAY"] = sms_gateway
    if log_format is not None:
        os.environ["PRIVNUM_LOG_FORMAT"] = log_format
    if log_level is not None:
        os.environ["PRIVNUM_LOG_LEVEL"] = log_level
    try:
        if keep_alive is not None and keep_alive < 0:
            raise ValueError("--keep-alive must not be negative")
        chosen = Settings.from_env(host=host, port=port, keep_alive_s=keep_alive)
        sip_address = chosen.sip_address
        if chosen.sip_enabled:
            from privnum.bootstrap import check_sip_settings

            check_sip_settings(chosen)
        if chosen.sms_gateway == "kannel" and not chosen.kannel_token:
            raise ValueError("--sms-gateway kannel needs PRIVNUM_KANNEL_TOKEN: the token= that Kannel's post-url "
                             "carries (deploy/kannel/kannel.conf); set PRIVNUM_KANNEL_USERNAME and _PASSWORD too")
    except ValueError as error:
        raise fail(str(error)) from None
    if chosen.sip_enabled and _udp_port_taken(*sip_address):
        where = "{}:{}".format(*sip_address)
        if chosen.sip_listen:
            raise fail(f"SIP port {where} is already in use (another privnum or SIP server?). Stop it, or "
                       "choose another with --sip-listen HOST:PORT, or run without SIP: --no-sip.")
        console.print(f"[yellow]SIP port {where} is already in use: serving without SIP.[/] "
                      "Choose a free one with --sip-listen HOST:PORT.")
        os.environ["PRIVNUM_SIP"] = "0"
        chosen = Settings.from_env(host=host, port=port, keep_alive_s=keep_alive)
    os.environ["PRIVNUM_HOST"], os.environ["PRIVNUM_PORT"] = chosen.host, str(chosen.port)
    migrate(chosen)
    sip_note = " and sip:{}:{} (udp)".format(*sip_address) if chosen.sip_enabled else ""
    serving = f"privnum serving on http://{chosen.host}:{chosen.port}{sip_note} (database {chosen.database_url})"
    from uvicorn.config import LOGGING_CONFIG

    log_config: dict[str, Any] = LOGGING_CONFIG  # uvicorn's own: text
    if chosen.log_format == "json":
        log_config = json_log_config(chosen.log_level)
        logging.config.dictConfig(log_config)
        logging.getLogger("privnum").warning(serving)
    else:
        console.print(serving)
    with _shared_metrics_dir(workers):
        uvicorn.run("privnum.entrypoints.api.asgi:app", host=chosen.host, port=chosen.port, workers=workers,
                    loop="uvloop", http="httptools", log_level=chosen.log_level, access_log=False,
                    log_config=log_config, timeout_keep_alive=chosen.keep_alive_s)


@contextlib.contextmanager
def _shared_metrics_dir(workers: int) -> Iterator[None]:
    """With several workers, a fresh directory where they all keep their counts (prometheus_client's
    multiprocess mode), so that any worker's /metrics shows the whole server's; removed at exit. An operator's
    own ``PROMETHEUS_MULTIPROC_DIR`` is used as it is (clear it between runs)."""
    if workers <= 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    directory = tempfile.mkdtemp(prefix="privnum-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    try:
        yield
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(directory, ignore_errors=True)


def _udp_port_taken(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise fail(f"cannot use SIP address {host}:{port}: {error.strerror}. Check --sip-listen.") from None
    return False
