"""The offline field app's pages: shell, service worker, manifest, scheme files and the pack.

The shell, worker, manifest and schemes hold no personal data and are public, so the worker
can cache them and open the app with no signal. Signing in, the choices of what to download,
the pack itself and fresh sync tokens need the officer's session.
"""

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from hoctap.accounts.models import User
from hoctap.accounts.tokens import api_token_issue
from hoctap.assessments.models import State
from hoctap.core.errors import (
    CONSENT_MISSING,
    DUPLICATE_ENROLMENT,
    ID_CONFLICT,
    NATIONAL_ID_ELSEWHERE,
    DomainError,
)
from hoctap.field.pack import PackTooLarge, pack_build, pack_choices
from hoctap.field.release import STATIC_FILES, release_id
from hoctap.people.models import ConsentMethod
from hoctap.schemes.models import Scheme


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, no_store=True)
    return response


def _signed_in(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _login_url() -> str:
    return reverse("login") + "?next=" + reverse("field:app")


def _refused() -> JsonResponse:
    return _json(
        {
            "detail": _("Sign in first."),
            "login": _login_url(),
        },
        status=401,
    )


@require_safe
def app(request: HttpRequest) -> HttpResponse:
    """The app's one page; the script draws each screen from the pack kept on the phone."""
    config = {
        "release": release_id(),
        "worker": reverse("field:worker"),
        "session": reverse("field:session"),
        "pack": reverse("field:pack"),
        "token": reverse("field:token"),
        "api": "/api/v1/",
        "login": _login_url(),
        "photoMaxSide": settings.HOCTAP_PHOTO_MAX_SIDE,
        "photoMaxBytes": settings.HOCTAP_PHOTO_MAX_BYTES,
    }
    context = {"config": config, "text": _texts(), "consent_methods": ConsentMethod.choices}
    response = render(request, "field/app.html", context)
    patch_cache_control(response, no_cache=True)
    return response


def _texts() -> dict[str, Any]:
    """The words the app's script shows, in the language of the page."""
    return {
        "bytes": _("%(n)s bytes"),
        "kilobytes": _("%(n)s KB"),
        "expired": _(
            "The village data on this phone expired and was removed. Download it again "
            "where there is signal; work not yet sent is kept."
        ),
        "no_scheme": _(
            "The scheme of this period is not on the phone: download the village again."
        ),
        "pack_status": _(
            "Data of %(unit)s, period %(period)s, as of %(at)s; removed from the phone after "
            "%(until)s."
        ),
        "no_pack": _("No village data on this phone yet."),
        "work_title": _("%(unit)s · period %(period)s"),
        "household": _("household %(code)s"),
        "states": {state.value: str(state.label) for state in State},
        "not_enrolled": _("Not enrolled for this period"),
        "enrolled_here": _("Enrolled on this phone"),
        "enrol": _("Enrol"),
        "self_assess": _("Self-assess"),
        "more_people": _("%(n)s more: search by name."),
        "kinds": {
            "enrol": _("Enrolment"),
            "scores": _("Self-assessment scores"),
            "self_assess": _("Self-assessment done"),
            "evidence": _("Photo"),
            "attendance": _("Attendance"),
        },
        "outbox_summary": _(
            "Waiting to be sent: %(records)s records and %(photos)s photos (%(size)s)."
        ),
        "outbox_empty": _("Nothing waits to be sent."),
        "more_items": _("The list shows the first 100 of them; %(n)s more are not listed."),
        "already": _("The server already had this."),
        "statuses": {
            "waiting": _("waiting"),
            "sending": _("sending…"),
            "done": _("sent"),
            "conflict": _("changed at the office meanwhile"),
            "failed": _("refused"),
            "dropped": _("replaced by the office's version"),
        },
        "indicator": _("Indicator"),
        "mine": _("On this phone"),
        "theirs": _("On the server"),
        "conflict_state": _("On the server the assessment is now: %(state)s."),
        "conflict_caption": _("Self-assessment scores, both versions"),
        "keep_mine": _("Keep mine"),
        "take_theirs": _("Use the server's"),
        "discard": _("Give up this record"),
        "discard_confirm": _("Delete this record and its photos from the phone?"),
        "discard_attendance": _("Delete this attendance sheet from the phone?"),
        "downloading": _("Downloading…"),
        "download_failed": _("The download failed; try again."),
        "downloaded": _("Downloaded %(unit)s: %(n)s people."),
        "offline": _("No connection: what waits is kept and sent when there is signal."),
        "need_name": _("Enter the full name."),
        "bad_year": _("Enter the birth year as four digits."),
        "need_sex": _("Choose the sex."),
        "bad_national_id": _("A CCCD number has 12 digits."),
        "need_group": _("Choose the target group."),
        "already_enrolled": _("This person is already enrolled on this phone."),
        "already_enrolled_period": _("This person is already enrolled for this period."),
        "enrolled_elsewhere": _("Enrolled this period in another unit"),
        "state_at": _("%(state)s (at %(unit)s)"),
        # The same notice as the enrolment page's, read out before the person agrees.
        "privacy_notice": _(
            "Read this to the person: the association records your name, year of birth, sex, "
            "ethnicity, CCCD number and your self-assessment to assess and recognise “%(s)s” "
            "and to report figures upward. Officers of your commune and above see them; you may "
            "ask for a copy, a correction or erasure, and withdraw consent at any time."
        ),
        "consent": _("Consent"),
        "consent_given": _("The person has read the privacy notice and agrees"),
        "consent_how": _("Consent given how"),
        "consent_methods": {value: str(label) for value, label in ConsentMethod.choices},
        "consent_required": _(
            "Read the privacy notice to the person; enrol them only when they agree."
        ),
        "record_consent": _("Record consent"),
        "save_consent": _("Save the consent"),
        "needs_consent": _("Consent to be recorded"),
        "consent_waiting": _("%(n)s enrolments wait for the person's consent to be recorded."),
        # What the server's error code means for the officer, where the status alone would
        # mislead (a 409 is a duplicate enrolment as often as an edit at the office).
        "codes": {
            DUPLICATE_ENROLMENT: _(
                "This person is already enrolled for this period (perhaps by another officer)."
            ),
            NATIONAL_ID_ELSEWHERE: _("This CCCD number belongs to another unit."),
            CONSENT_MISSING: _(
                "The person's consent is not recorded: tap “Record consent”, read them the "
                "notice and tick when they agree."
            ),
            ID_CONFLICT: _("This enrolment is already on the server with other content."),
        },
        "score_range": _("From 0 to %(max)s, in steps of %(step)s."),
        "evidence": _("Evidence"),
        "bad_score": _("%(code)s: enter a number."),
        "score_out_of_range": _("%(code)s: the score must be from 0 to %(max)s on the scale."),
        "still_to_score": _("Indicators still to score: %(n)s."),
        "preview": _("Total: %(total)s · %(result)s"),
        "photo_for": _("Evidence photo for %(code)s"),
        "saved": _("Saved for %(name)s; it waits in the outbox."),
        "save_failed": _("Could not save on the phone:"),
        "sending": _("Sending…"),
        "sent": _("Sent: %(n)s items."),
        "server_busy": _("The server did not answer properly; the rest is sent later."),
        "sign_in_to_send": _("Sign in again, then tap Send."),
        "send_failed": _("Sending stopped:"),
        "remove_unsent": _("%(n)s items have not been sent and will be lost. Remove anyway?"),
        "remove_confirm": _("Remove the village data from this phone?"),
        "removed": _("The data was removed from this phone."),
        "session_label": _("%(course)s · %(date)s"),
        "attend_saved": _("Attendance saved: %(n)s people; it waits in the outbox."),
        "attend_none": _("Tick at least one person who attended."),
        "attend_count": _("%(n)s ticked"),
        "online": _("Online"),
        "offline_badge": _("Offline"),
    }


@require_safe
def worker(request: HttpRequest) -> HttpResponse:
    """The service worker, with this release's name and the files to keep offline."""
    files = [reverse("field:app"), reverse("field:manifest")]
    files += [static(name) for name in STATIC_FILES]
    response = render(
        request,
        "field/sw.js",
        {
            "release": release_id(),
            "app": reverse("field:app"),
            "files_json": json.dumps(files),
            "store": static("js/field-store.js"),
        },
        content_type="text/javascript; charset=utf-8",
    )
    patch_cache_control(response, no_cache=True)
    return response


@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: how the app looks once installed on the phone's home screen."""
    data = {
        "name": _("Learning Citizen: field work"),
        "short_name": _("Field work"),
        "description": _("Enrol people and fill self-assessments in the village, then send."),
        "lang": "vi",
        "start_url": reverse("field:app"),
        "scope": reverse("field:app"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b5d3b",
        "icons": [
            {
                "src": static(f"field/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_safe
def scheme(request: HttpRequest, code: str, version: int) -> JsonResponse:
    """One scheme version as the app evaluates it: groups, indicators, guidance and rule."""
    found = get_object_or_404(Scheme, code=code, version=version)
    response = JsonResponse(
        {"version": found.version, **found.definition}, json_dumps_params={"ensure_ascii": False}
    )
    response["ETag"] = f'"{found.content_hash}"'
    patch_cache_control(response, no_cache=True)
    return response


@require_safe
def session(request: HttpRequest) -> JsonResponse:
    """Who is signed in, a CSRF token for the app's posts, and what they may download."""
    user = _signed_in(request)
    if user is None:
        return _refused()
    return _json(
        {"user": user.get_username(), "csrf": get_token(request), **pack_choices(user=user)}
    )


@require_POST
def pack(request: HttpRequest) -> JsonResponse:
    """Build the village pack for the unit and period posted."""
    user = _signed_in(request)
    if user is None:
        return _refused()
    try:
        built = pack_build(
            user=user,
            period_code=request.POST.get("period", ""),
            unit_code=request.POST.get("unit", ""),
        )
    except DomainError as exc:
        return _json({"detail": exc.message}, status=exc.status)
    except (ValidationError, PackTooLarge) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return _json({"detail": " ".join(messages)}, status=400)
    return _json(built)


@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """A fresh sync token for a phone whose token expired while work waited in its outbox."""
    user = _signed_in(request)
    if user is None:
        return _refused()
    expires = timezone.now() + timedelta(days=settings.HOCTAP_PACK_DAYS)
    issued = api_token_issue(user=user, name=_("Field phone"), expires_at=expires)
    return _json({"token": issued, "expires_at": expires.isoformat(timespec="seconds")})
