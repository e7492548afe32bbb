"""Logging as `[log]` in config.toml asks: a level, and text for people or JSON for collectors.

The runner calls `configure_logging(config.log)` once at start. Library modules only ever do
`log = logging.getLogger(__name__)` with lazy `%s` arguments; this is the one place that decides
where records go and how they look.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

from node.config import LogConfig

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and exc if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(config: LogConfig, stream: TextIO | None = None) -> logging.Handler:
    """Send every record at `config.level` or above to `stream` (stderr) in `config.format`.

    Replaces the handlers of the root logger, so calling it again reconfigures cleanly; returns
    the handler it installed.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    if config.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(config.level.upper())
    return handler
