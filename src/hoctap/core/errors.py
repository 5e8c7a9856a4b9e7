"""Domain errors that pages, commands and the API turn into a clear message and status."""


class DomainError(Exception):
    """An operation was refused; `message` is already translated for the user."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist or lies outside the user's scope (the two are not told apart)."""

    status = 404


class Forbidden(DomainError):
    """The user's role may not do this."""

    status = 403


class Conflict(DomainError):
    """The record changed meanwhile, or its state does not allow this now."""

    status = 409
