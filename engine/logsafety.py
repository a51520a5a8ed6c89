"""Keeping case content out of technical logs.

Application logs must never hold CPR numbers, free text or variable payloads. Two sources
would put them there: libraries that log payloads (SpiffWorkflow attaches task data to its
log records unless its logger level is INFO or higher; SQLAlchemy logs statement parameters
and result rows when its loggers are enabled), and exception messages (database errors quote
the offending values). So payload-logging libraries are held at WARNING, and unexpected errors
are logged as their type and stack frames only, never their message.
"""

from __future__ import annotations

import logging
import traceback

PAYLOAD_LOGGERS = ("spiff", "SpiffWorkflow", "sqlalchemy.engine", "sqlalchemy.orm", "sqlalchemy.pool")


def quiet_payload_loggers() -> None:
    """Hold the loggers that would write case data at WARNING, whatever the root level is."""
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def describe_exception(error: BaseException) -> str:
    """The exception's type and where it was raised (file, line, function), without its message."""
    frames = traceback.extract_tb(error.__traceback__)
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames[-8:]))
    cause = error.__cause__ or error.__context__
    kind = type(error).__qualname__
    if cause is not None and cause is not error:
        kind = f"{kind} (from {type(cause).__qualname__})"
    return f"{kind} at {where}" if where else kind
