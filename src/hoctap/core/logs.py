"""Logging filters: secrets that travel in URLs never reach a log line."""

import logging
import re

# /self/<code>: the printed access code is a key to a person's assessment.
_ACCESS_CODE = re.compile(r"(/self/)(?!assessment\b|leave\b)[0-9A-Za-z-]+")


def redact(text: str) -> str:
    """Return `text` with access codes in self-service links replaced by a mask."""
    return _ACCESS_CODE.sub(r"\1…", text)


class RedactSecrets(logging.Filter):
    """Mask access codes in the message and its arguments (Django logs 404 paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        request = getattr(record, "request", None)
        if request is not None and _ACCESS_CODE.search(getattr(request, "path", "")):
            # Handlers such as AdminEmailHandler print the request; keep it out of the record.
            record.request = None
        return True
