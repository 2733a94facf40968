"""How the process writes its log: plain text (the default) or, with DIBS_LOG_FORMAT=json, one JSON object per
line; either way with tokens and secrets masked, and with the ids of what is being handled where known.

Every line goes through the root logger's handler, waitress's and APScheduler's included: `configure` sets that
handler's formatter. `log_context(team_id=…)` names what the current thread works on (a request, an outbox row);
the JSON lines carry it. Nothing here reads a message's text or a request's body: those never reach a log line.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FIELDS = ("team_id", "event_id", "trigger_id", "task_id")  # what `log_context` may name
# Slack's tokens: bot (xoxb-), user (xoxp-), app-level (xapp-), legacy and refresh (xoxa-, xoxr-, xoxe-…).
TOKEN = re.compile(r"\b(xox[abeopr](?:\.[A-Za-z0-9_-]+)?|xapp)-[A-Za-z0-9-]+")
MASK = "[redacted]"

_context: ContextVar[dict[str, str] | None] = ContextVar("dibs_log_context", default=None)
_secrets: set[str] = set()
_chosen: list[str] = ["text"]  # the format `setup` chose


class LogFormatError(ValueError):
    """DIBS_LOG_FORMAT names no format Dibs writes."""


def redact(text: str) -> str:
    """`text` with every Slack token and every secret Dibs knows (`add_secrets`) masked."""
    text = TOKEN.sub(MASK, text)
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def add_secrets(*values: str | None) -> None:
    """Mask these values (the signing secret, the OAuth client secret…) wherever a log line would show them."""
    _secrets.update(value for value in values if value and len(value) >= 8)


@contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """The current thread handles what these ids name (None values are left out) until the block ends."""
    known = dict(_context.get() or {})
    known.update({name: str(value) for name, value in fields.items() if value not in (None, "")})
    token = _context.set(known)
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, str]:
    """The ids the current thread's log lines carry."""
    return dict(_context.get() or {})


class ContextFilter(logging.Filter):
    """Puts the current `log_context` on each record (as `record.dibs_context`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "dibs_context"):
            record.dibs_context = _context.get() or {}
        return True


class TextFormatter(logging.Formatter):
    """The plain-text line (`time LEVEL logger: message`), secrets masked."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the ids of `log_context`, and a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = getattr(record, "dibs_context", None)
        if context is None:
            context = _context.get() or {}
        line.update({name: context[name] for name in FIELDS if name in context})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return redact(json.dumps(line, ensure_ascii=False, default=str))


def log_format(value: str | None) -> str:
    """DIBS_LOG_FORMAT read: text (also when unset) or json."""
    chosen = (value or "text").strip().lower()
    if chosen not in FORMATS:
        raise LogFormatError(f"DIBS_LOG_FORMAT must be text or json, not {value!r}")
    return chosen


def configure(fmt: str, handlers: Iterable[logging.Handler] | None = None) -> None:
    """Give the root logger's handlers (after `logging.basicConfig`) the format `fmt` and the context filter."""
    formatter: logging.Formatter = JsonFormatter() if fmt == "json" else TextFormatter()
    for handler in handlers if handlers is not None else logging.getLogger().handlers:
        handler.setFormatter(formatter)
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            handler.addFilter(ContextFilter())


def setup(level: str, fmt: str | None = None) -> None:
    """The process's logging: every line at `level` or above to standard error, as DIBS_LOG_FORMAT says (`fmt`
    overrides it); LogFormatError when it names no format."""
    chosen = log_format(fmt if fmt is not None else os.environ.get("DIBS_LOG_FORMAT"))
    _chosen[0] = chosen
    root = logging.getLogger()
    if not root.handlers:  # as logging.basicConfig: a process that set up its logging already keeps it
        handler = logging.StreamHandler()
        configure(chosen, [handler])
        root.addHandler(handler)
        root.setLevel(level)
    if chosen == "json":  # a thread's uncaught exception is a log line too, not a bare traceback
        threading.excepthook = _log_thread_exception
    # A line per scheduler tick and per Alembic plugin is noise in an admin's log.
    for chatty in ("apscheduler", "alembic.runtime.plugins"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    exc_info = (args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)
    logging.getLogger("threading").error("uncaught exception in thread %s", name, exc_info=exc_info)


def say(sentence: str) -> None:
    """A sentence for the admin on standard error (why Dibs cannot start): the line itself, or with
    DIBS_LOG_FORMAT=json, a JSON line like every other."""
    if _chosen[0] != "json":
        print(redact(sentence), file=sys.stderr)
        return
    line = logging.LogRecord("dibs", logging.ERROR, __file__, 0, sentence, None, None)
    print(JsonFormatter().format(line), file=sys.stderr)
