"""The optional second factor (TOTP, django-otp): who must use it, enrolment, verification."""

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import OTP_ROLES, has_role

DEVICE_NAME = "Authenticator app"


def otp_required_for(user) -> bool:
    """Supervisors, auditors and admins (superusers, and staff, who can use the admin) must
    verify when OTP_REQUIRED_FOR_SUPERVISORS is on; everyone when OTP_REQUIRED_FOR_ALL is."""
    if settings.OTP_REQUIRED_FOR_ALL:
        return True
    if not settings.OTP_REQUIRED_FOR_SUPERVISORS:
        return False
    return bool(user.is_superuser or user.is_staff or has_role(user, *OTP_ROLES))


def user_has_confirmed_device(user) -> bool:
    """Whether the user has a confirmed device: read with the request's user when the
    session's backend loaded it (core.auth.RoleAwareBackend), else asked."""
    known = getattr(user, "_triage_has_otp_device", None)
    if known is not None:
        return known
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The user's unconfirmed device (created on first visit), shown until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no inline style: CSP-safe)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def _verify(device: TOTPDevice, token: str) -> bool:
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit():
        # Still counts towards throttling, so guessing by malformed input gains nothing.
        device.throttle_increment(commit=True)
        return False
    return device.verify_token(token)


@transaction.atomic
def otp_confirm(*, request, device: TOTPDevice, token: str) -> bool:
    """Confirm a new device with its first code; the session counts as verified."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
    if not _verify(device, token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    request.user._triage_has_otp_device = True
    otp_login(request, device)
    return True


@transaction.atomic
def otp_verify(*, request, token: str) -> bool:
    """Verify this session with a code from any of the user's confirmed devices.

    django-otp throttles each device after failures (the wait doubles each time).
    """
    devices = TOTPDevice.objects.select_for_update().filter(user=request.user, confirmed=True)
    for device in devices:
        if _verify(device, token):
            otp_login(request, device)
            return True
    return False
