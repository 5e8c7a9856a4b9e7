"""Domain errors that pages, commands and the API turn into a clear message and status.

Each error carries a machine-readable `code` besides its message, so that an API client tells
apart the meanings one status can have (a 409 may be a stale version or a duplicate enrolment).
"""


class DomainError(Exception):
    """An operation was refused; `message` is already translated for the user."""

    status = 400
    default_code = "invalid"

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code


class NotFound(DomainError):
    """The object does not exist or lies outside the user's scope (the two are not told apart)."""

    status = 404
    default_code = "not_found"


class Forbidden(DomainError):
    """The user's role may not do this."""

    status = 403
    default_code = "forbidden"


class Conflict(DomainError):
    """The record changed meanwhile, or its state does not allow this now."""

    status = 409
    default_code = "conflict"


# The codes clients rely on (spec §5); a raise names one of these when it means one of them.
CONSENT_MISSING = "consent_missing"
DUPLICATE_ENROLMENT = "duplicate_enrolment"
NATIONAL_ID_ELSEWHERE = "national_id_elsewhere"
ID_CONFLICT = "id_conflict"
STALE_VERSION = "stale_version"
NOT_ALLOWED_NOW = "not_allowed_now"
LAYER_EMPTY = "layer_empty"
