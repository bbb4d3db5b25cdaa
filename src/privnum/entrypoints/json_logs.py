"""``privnum serve --log-format json``: one JSON object per line (ts, level, logger, msg; session_id,
subscription_id and app when the line is about a call or a binding; exc when an exception is logged), and the
logging configuration uvicorn applies in every worker process."""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

from privnum.service import log_context


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(log_context.current())
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def json_log_config(level: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn's ``log_config``: every logger (privnum's and uvicorn's) to
    stderr as JSON lines, at ``level``."""
    name = "INFO" if level == "trace" else level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "privnum.entrypoints.json_logs.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": name},
        "loggers": {logger: {"handlers": [], "propagate": True, "level": name}
                    for logger in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }
