"""OpenAPI post-processing: document the error responses every endpoint can give.

drf-spectacular documents success responses only; a client (and schemathesis) must also
know the shape of a refusal: 400 field errors, 401/403 with a detail, 404 for a record
that does not exist or is not the caller's to see.
"""

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# Field name -> messages, nested for nested inputs (the RCRP facts): any JSON object.
FIELD_ERRORS = {"type": "object", "additionalProperties": {}}

ERRORS = {
    "400": ("Invalid input: messages per field.", "FieldErrors"),
    "401": ("Not authenticated (a token was sent but is invalid or revoked).", "ErrorDetail"),
    "403": ("Not authenticated, or the role does not allow this.", "ErrorDetail"),
}
NOT_FOUND = ("Not found, or not visible to the caller.", "ErrorDetail")


def _response(description, component):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _strict_components() -> set[str]:
    """Component names of the inputs that refuse unknown keys: every StrictSerializer
    (named as drf-spectacular names a request body) and the RCRP facts."""
    from .serializers import StrictSerializer

    names, todo = set(), list(StrictSerializer.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        base = cls.__name__.removesuffix("Serializer")
        names |= {base, f"{base}Request", f"Patched{base}Request"}
    return names | {"Facts", "FactsRequest"}


def forbid_unknown_keys(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: an input the API refuses unknown keys in says so
    (additionalProperties: false), so a client reading the schema is not surprised."""
    strict = _strict_components()
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name in strict and component.get("type") == "object":
            component["additionalProperties"] = False
    return result


# core.middleware.RequestGuardMiddleware refuses a NUL anywhere (400): text says so.
NO_NUL = "^[^\\x00]*$"
NO_NUL_NOT_BLANK = "^[^\\x00]*[^\\x00\\s][^\\x00]*$"


def _no_nul(schema) -> None:
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema):
        # A required text is trimmed first (DRF): it needs one character besides spaces.
        schema["pattern"] = NO_NUL_NOT_BLANK if schema.get("minLength", 0) >= 1 else NO_NUL
    for key in ("properties", "additionalProperties", "items", "allOf", "anyOf", "oneOf"):
        value = schema.get(key)
        if isinstance(value, dict):
            for child in value.values() if key == "properties" else [value]:
                _no_nul(child)
        elif isinstance(value, list):
            for child in value:
                _no_nul(child)


def forbid_nul(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: every free-text input (request bodies, parameters)
    excludes the NUL character, which the API refuses before any other work."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") or name in ("Facts",):
            _no_nul(component)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                _no_nul(parameter.get("schema"))
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _no_nul(media.get("schema"))
    return result


def add_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: add the error responses to each operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", DETAIL)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, (description, component) in ERRORS.items():
                responses.setdefault(status, _response(description, component))
            if "{" in path:
                responses.setdefault("404", _response(*NOT_FOUND))
    return result
