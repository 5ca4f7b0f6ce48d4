import base64
import csv
from dataclasses import dataclass
from datetime import UTC
from functools import cache

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_POST

from . import otp, selectors, services
from .forms import LogExportForm, LogSearchForm, PasswordChangeForm, TokenForm
from .models import ProcessingLog
from .roles import ALL_ROLES, LOG_ROLES, Role, has_role, primary_role, role_required
from .security_events import log_otp_failure, log_password_change

ROLE_HOMES = {
    Role.HANDLER: "triage:call-new",
    Role.TRIAGE: "referrals:queue",
    Role.SUPERVISOR: "dashboards:home",
    Role.AUDITOR: "core:log-search",
    Role.MH_PRACTITIONER: "consults:queue",
}


@login_required
def home(request):
    """Send each user to the home page of their role."""
    role = primary_role(request.user)
    if role is None:
        raise PermissionDenied("Your account has no Triage Desk role; ask an administrator.")
    return redirect(ROLE_HOMES[role])


# Account: second factor and API tokens -------------------------------------------------


@login_required
def account(request):
    return render(
        request,
        "core/account.html",
        {
            "tokens": selectors.api_tokens_of(request.user),
            "has_device": otp.user_has_confirmed_device(request.user),
            "otp_required": otp.otp_required_for(request.user),
            # The API docs are served to the operational roles (SERVE_PERMISSIONS).
            "can_read_api_docs": has_role(request.user, *ALL_ROLES),
        },
    )


@login_required
def password_change(request):
    """Every user changes their own password: the current one first, the same rules as
    everywhere; their other sessions end, this one goes on."""
    form = PasswordChangeForm(request.user, request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        ended = services.password_change(
            user=request.user,
            new_password=form.cleaned_data["new_password1"],
            keep_session_key=request.session.session_key,
        )
        update_session_auth_hash(request, request.user)
        log_password_change(request, ended)
        messages.success(
            request,
            "Your password is changed." + (" You are logged out everywhere else." if ended else ""),
        )
        return redirect("core:account")
    return render(request, "core/password_change.html", {"form": form})


@login_required
@require_POST
def token_revoke(request, pk):
    """A user revokes one of their own tokens (administrators revoke any in the admin)."""
    token = get_object_or_404(selectors.api_tokens_of(request.user), pk=pk)
    services.api_token_revoke(token=token)
    messages.success(request, f"Token {token.prefix}… revoked.")
    return redirect("core:account")


def _next_url(request, default="core:home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
def otp_setup(request):
    """Enrol an authenticator app: scan the code (or type the key), confirm with a code."""
    if otp.user_has_confirmed_device(request.user):
        messages.info(request, "Two-step verification is already set up.")
        return redirect("core:account")
    device = otp.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.otp_confirm(request=request, device=device, token=form.cleaned_data["token"]):
            messages.success(request, "Two-step verification is on for your account.")
            return redirect(_next_url(request))
        form.add_error("token", "That code did not match. Check the time on your phone.")
    return render(
        request,
        "core/otp_setup.html",
        {
            "form": form,
            "qr_svg": otp.qr_svg(device),
            "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
            "next": _next_url(request, default=""),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
def otp_verify(request):
    """Verify this session with a code, after the password."""
    if not otp.user_has_confirmed_device(request.user):
        return redirect("core:otp-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.otp_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        log_otp_failure(request)
        form.add_error("token", "That code did not match, or too many tries: wait and retry.")
    return render(
        request,
        "core/otp_verify.html",
        {"form": form, "next": _next_url(request, default="")},
        status=400 if form.is_bound else 200,
    )


# The processing log (DPA 2018 s62) -----------------------------------------------------

PAGE_SIZE = 100

# The log stores roles and record types as codes (and its CSV export keeps them); its page
# names them in words. Record types are model names, read from each model's verbose name.
ROLE_WORDS = {
    Role.HANDLER: "Call handler",
    Role.TRIAGE: "Triage staff",
    Role.SUPERVISOR: "Supervisor",
    Role.AUDITOR: "Auditor",
    Role.MH_PRACTITIONER: "Mental-health practitioner",
    "system": "The system (automatic)",
    "superuser": "Administrator",
}
RECORD_WORDS = {"dashboard_export": "Dashboard export", "processinglog": "Processing log"}


def role_words(role: str) -> str:
    """A log entry's roles ("call_handler,supervisor") in words."""
    if not role:
        return "No role"
    return ", ".join(
        ROLE_WORDS.get(code, code.replace("_", " ").capitalize()) for code in role.split(",")
    )


@cache
def _model_words() -> dict[str, str]:
    return {model._meta.model_name: str(model._meta.verbose_name) for model in apps.get_models()}


def record_words(object_type: str) -> str:
    """A log entry's record type ("referralaction") in words ("Referral action")."""
    if object_type in RECORD_WORDS:
        return RECORD_WORDS[object_type]
    words = _model_words().get(object_type, object_type.replace("_", " "))
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class LogLine:
    """One log entry as the page shows it: its roles and record type in words."""

    entry: ProcessingLog
    role: str
    record: str


@role_required(*LOG_ROLES)
def log_search(request):
    """Search the processing log by user, record, operation and dates."""
    form = LogSearchForm(request.GET or None)
    criteria = form.criteria() if form.is_valid() else {}
    entries = selectors.processing_log_search(**criteria)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/log_search.html",
        {
            "form": form,
            "page": page,
            "lines": _log_lines(page),
            "query": query.urlencode(),
            "export_form": LogExportForm(initial={**request.GET.dict()}),
        },
    )


def _log_lines(page) -> list[LogLine]:
    return [
        LogLine(entry, role_words(entry.role), record_words(entry.object_type)) for entry in page
    ]


CSV_COLUMNS = (
    "at_utc",
    "username",
    "role",
    "operation",
    "object_type",
    "object_id",
    "justification",
    "recipient",
    "request_id",
)


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def _csv_rows(entries):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(entry.at.astimezone(UTC).isoformat()),
                _cell(entry.username),
                _cell(entry.role),
                _cell(entry.operation),
                _cell(entry.object_type),
                _cell(entry.object_id),
                _cell(entry.justification),
                _cell(entry.recipient),
                _cell(entry.request_id),
            ]
        )


@role_required(*LOG_ROLES)
@require_POST
def log_export(request):
    """Export the matching entries as CSV (e.g. for the Information Commissioner).

    The export is a disclosure: it is logged, with its recipient and justification,
    before the file is sent.
    """
    form = LogExportForm(request.POST)
    if not form.is_valid():
        entries = selectors.processing_log_search()
        page = Paginator(entries, PAGE_SIZE).get_page(1)
        return render(
            request,
            "core/log_search.html",
            {
                "form": LogSearchForm(),
                "page": page,
                "lines": _log_lines(page),
                "query": "",
                "export_form": form,
            },
            status=400,
        )
    criteria = form.criteria()
    described = ", ".join(f"{k}={v}" for k, v in criteria.items()) or "all entries"
    services.log_disclosure(
        user=request.user,
        object_type="processinglog",
        justification=f"{form.cleaned_data['justification']} [export of {described}]",
        recipient=form.cleaned_data["recipient"],
        request=request,
    )
    entries = selectors.processing_log_search(**criteria)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="processing-log-{stamp}.csv"'
    return response


# Error pages: JSON under /api/ (clients and the schema expect it), HTML elsewhere. --------


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
