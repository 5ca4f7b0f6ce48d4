class DomainError(Exception):
    """The one error type services raise: a message, optionally per field."""

    def __init__(self, message: str = "", *, field: str | None = None, errors=None):
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}
        if message:
            self.errors.setdefault(field or "non_field_errors", []).append(message)
        super().__init__(message or "; ".join(m for ms in self.errors.values() for m in ms))

    def as_dict(self) -> dict[str, list[str]]:
        return self.errors
