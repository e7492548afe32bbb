"""`[log]`: the level filters, and json gives one parseable object per line."""

from __future__ import annotations

import io
import json
import logging

from node.config import LogConfig
from node.logs import configure_logging


def test_json_lines_carry_level_logger_and_message(restore_root_logger: None) -> None:
    out = io.StringIO()
    configure_logging(LogConfig("info", "json"), out)
    log = logging.getLogger("node.test")
    log.debug("hidden")
    log.info("block %d committed with %s", 7, "ünïcode")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [entry["level"] for entry in lines] == ["info", "error"]
    assert lines[0]["logger"] == "node.test"
    assert lines[0]["message"] == "block 7 committed with ünïcode"
    assert lines[0]["time"].endswith("+00:00")
    assert "ValueError: boom" in lines[1]["exc"]


def test_text_format_and_reconfiguring(restore_root_logger: None) -> None:
    first = io.StringIO()
    configure_logging(LogConfig("warning", "text"), first)
    second = io.StringIO()
    configure_logging(LogConfig("debug", "text"), second)
    logging.getLogger("node.test").debug("now visible")
    assert first.getvalue() == ""
    assert "DEBUG   node.test: now visible" in second.getvalue()
