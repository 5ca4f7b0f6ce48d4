import re
import time
import uuid
from contextvars import ContextVar
from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_request_id: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request being served ("" outside a request, e.g. in a Celery task)."""
    return _request_id.get()


class RequestIdMiddleware:
    """Give every request an id for the logs: a new UUID, or, behind a trusted reverse proxy
    (TRUSTED_PROXY_COUNT > 0), the proxy's X-Request-ID if sane.

    Without a proxy the header comes from the client, who could then choose the ids an
    auditor matches processing-log records by; so it is taken only from a proxy the force
    runs (which must set or overwrite it). The id is also kept in a context variable, so services deep below a view can record it
    in the processing log without being handed the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = (
            request.headers.get("X-Request-ID", "") if settings.TRUSTED_PROXY_COUNT > 0 else ""
        )
        request.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


# How deep JSON may nest: the deepest body the API takes is three levels (a call's facts);
# Python's parser overflows its stack at about a thousand.
MAX_JSON_DEPTH = 32
TOO_DEEP = f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep."
HAS_NUL = (
    "The request contains a NUL character (a hidden control character), which no field "
    "accepts: remove it and try again."
)
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(rb"[\[\]{}]")
# \u0000 not itself escaped (an even number of backslashes before it, none counted).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORM = "application/x-www-form-urlencoded"  # and multipart/form-data


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``body`` opens more than ``limit`` arrays or objects inside each other,
    counted on the raw bytes (strings removed first), so nothing is parsed."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # the usual body: too few brackets to nest too deep (no regex run)
    depth = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub(b"", body)):
        if bracket in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class RequestGuardMiddleware:
    """400, before any other work, for what no view can take: JSON nested too deep (the
    parser would overflow Python's stack, a 500) and a NUL character anywhere in the query
    string, a JSON body or a form (PostgreSQL refuses NUL in text, a 500; SQLite would
    store it). One message for each, as JSON under /api/ and as a page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self.problem(request)
        if problem:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": problem}, status=400)
            return render(request, "400.html", {"message": problem}, status=400)
        return self.get_response(request)

    @staticmethod
    def problem(request) -> str:
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return HAS_NUL
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return ""
        content_type = request.content_type or ""
        if content_type not in (_FORM, "multipart/form-data"):
            # JSON, and anything a parser may take as JSON (DRF's JSON parser also takes
            # a wildcard type such as application/* or */*).
            body = request.body
            if json_too_deep(body):
                return TOO_DEEP
            if b"\x00" in body or (b"\\u0000" in body and _JSON_NUL.search(body)):
                return HAS_NUL
        else:
            # The fields, not the files (an upload is the importer's to read).
            for name, values in request.POST.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return HAS_NUL
        return ""


# No inline script or style anywhere (static/js, static/css only); data: images are for the
# icons inside Swagger UI's stylesheet.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """CSP, Referrer-Policy, nosniff and no-store on every response but static files; and
    each refusal (401/403) logged as a security event.

    HSTS, nosniff and the Referrer-Policy also come from Django's SecurityMiddleware; they
    are set here too so that a response that skips it (WhiteNoise, an error page) still
    carries them. Every page and API response may hold personal data, so none is cached.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (401, 403):
            from .security_events import log_refusal

            log_refusal(request, response)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("X-Frame-Options", "DENY")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if settings.SECURE_HSTS_SECONDS and request.is_secure():
            response.setdefault(
                "Strict-Transport-Security",
                f"max-age={settings.SECURE_HSTS_SECONDS}; includeSubDomains"
                + ("; preload" if settings.SECURE_HSTS_PRELOAD else ""),
            )
        if not request.path.startswith(self.static_prefix):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
            response["Expires"] = "0"
        return response


class OTPRequiredMiddleware:
    """Send a user who must use a second factor to verify (or enrol) before anything else.

    Who must: supervisors, auditors and superusers when OTP_REQUIRED_FOR_SUPERVISORS is on,
    and anyone who has enrolled a device (enrolling is how a user opts in). Requires
    django_otp's OTPMiddleware before it. Token-authenticated API calls are not affected:
    an integration token is its own credential.
    """

    EXEMPT_NAMES = ("login", "logout", "core:otp-setup", "core:otp-verify")

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def exempt_paths(self):
        if self._exempt is None:
            self._exempt = {reverse(name) for name in self.EXEMPT_NAMES}
        return self._exempt

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and request.path not in self.exempt_paths()
            and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/"))
        ):
            from .otp import otp_required_for, user_has_confirmed_device

            has_device = user_has_confirmed_device(user)
            if has_device or otp_required_for(user):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "Verify your second factor at /account/2fa/verify/ first."},
                        status=403,
                    )
                target = "core:otp-verify" if has_device else "core:otp-setup"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


# How often a request pushes a session's idle deadline on (see SessionTouchMiddleware).
SESSION_TOUCH_SECONDS = 60
_TOUCHED = "_touched_at"


class SessionTouchMiddleware:
    """Idle expiry without a session write on every request.

    SESSION_SAVE_EVERY_REQUEST would rewrite the session row (a transaction of its own) on
    each request, which is most of an intake's writes that are not the call. Instead a
    request re-saves the session, pushing its SESSION_COOKIE_AGE deadline on, only when
    the last push is over a minute old; a session therefore ends between 29 and 30 idle
    minutes after its last request. Goes just after SessionMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.accessed
            and not session.modified
            and not (session.is_empty())
        ):
            now = int(time.time())
            if now - session.get(_TOUCHED, 0) >= SESSION_TOUCH_SECONDS:
                session[_TOUCHED] = now  # marks it modified: SessionMiddleware saves it
        return response
