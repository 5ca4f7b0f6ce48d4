class DomainError(Exception):
    """The one error type services raise: a message, optionally per field."""

    def __init__(self, message: str = "", *, field: str | None = None, errors=None):
        # A field's errors are a list of messages, or a dict of sub-field messages (facts).
        self.errors: dict = {
            k: dict(v) if isinstance(v, dict) else list(v) for k, v in (errors or {}).items()
        }
        if message:
            self.errors.setdefault(field or "non_field_errors", []).append(message)
        super().__init__(message or "; ".join(_flatten(self.errors)))

    def as_dict(self) -> dict:
        return self.errors


def _flatten(errors) -> list[str]:
    if isinstance(errors, dict):
        return [f"{k}: {m}" for k, v in errors.items() for m in _flatten(v)]
    return [str(m) for m in errors]
