"""Keep personal data out of the application logs.

Callers' addresses, narratives and phone numbers must never reach a log file. They could
arrive three ways, each closed here:

- a URL's query string in a request log line (runserver's ``django.server`` and
  gunicorn's ``gunicorn.access``): ``StripQueryString`` removes it;
- the message of an exception in a traceback (a database error quotes the values it
  refused): ``WithholdExceptionDetail`` keeps the type and the stack, not the message;
- a request body: nothing in Django logs bodies, and nothing here does.
"""

import logging
import re
import time
import traceback

from .middleware import current_request_id

# From "?" to the protocol, a closing quote or the end of the line: a query string, even one
# whose spaces were not encoded.
_QUERY = re.compile(r"\?[^\"\n]*?(?=\s+HTTP/\d|\"|$)", re.M)


def strip_query(text: str) -> str:
    return _QUERY.sub("", text)


class StripQueryString(logging.Filter):
    """Remove ``?query`` from request lines (runserver, gunicorn's access log)."""

    def filter(self, record):
        args = record.args
        if isinstance(args, dict):
            # gunicorn's access atoms: r (request line), U, q, f (referer), raw URIs...
            record.args = {
                key: strip_query(value) if isinstance(value, str) else value
                for key, value in args.items()
            }
            if "q" in record.args:
                record.args["q"] = ""
        elif args:
            record.msg = strip_query(record.getMessage())
            record.args = ()
        else:
            record.msg = strip_query(str(record.msg))
        return True


def _format_without_messages(exc: BaseException, seen: set[int]) -> list[str]:
    if id(exc) in seen:
        return []
    seen.add(id(exc))
    lines: list[str] = []
    if exc.__cause__ is not None:
        lines += _format_without_messages(exc.__cause__, seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif exc.__context__ is not None and not exc.__suppress_context__:
        lines += _format_without_messages(exc.__context__, seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    lines.append("Traceback (most recent call last):\n")
    lines += traceback.StackSummary.extract(
        traceback.walk_tb(exc.__traceback__), capture_locals=False
    ).format()
    kind = type(exc)
    lines.append(
        f"{kind.__module__}.{kind.__qualname__}: [detail withheld: may hold personal data]\n"
    )
    return lines


def format_exception_safely(exc_info) -> str:
    """A traceback with every exception's message withheld (types and frames are kept)."""
    _, exc, _ = exc_info
    if exc is None:
        return ""
    return "".join(_format_without_messages(exc, set())).rstrip("\n")


class WithholdExceptionDetail(logging.Filter):
    """Replace a record's exception with a traceback that omits exception messages.

    Set on loggers (not only handlers) so that every handler, including test capture,
    sees the safe version. The message itself is kept: Django's request loggers say only
    "Internal Server Error: /path".
    """

    def filter(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = format_exception_safely(record.exc_info)
            record.exc_info = None
        return True


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to each record, to find one request's lines."""

    def filter(self, record):
        record.request_id = current_request_id() or "-"
        return True


class SafeFormatter(logging.Formatter):
    """The console formatter: times in UTC; any traceback that reaches it loses its
    exception messages."""

    converter = time.gmtime

    def formatException(self, ei):
        return format_exception_safely(ei)


def install_gunicorn_access_filter():
    """Gunicorn configures its own loggers before loading the app; add the filter to them
    without touching their handlers (dictConfig would replace those)."""
    for name in ("gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, StripQueryString) for f in logger.filters):
            logger.addFilter(StripQueryString())
            logger.addFilter(WithholdExceptionDetail())
