"""Pages that set up a learning centre and plan its courses and sessions."""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.core.errors import Forbidden, NotFound
from hoctap.core.http import authenticated_user
from hoctap.learning.forms import CentreCreateForm, CentreForm, CourseForm, SessionForm
from hoctap.learning.models import DEFAULT_INDICATORS, Centre, Course, Topic
from hoctap.learning.selectors import (
    centre_get,
    communes_without_centre,
    course_get,
    indicator_choices,
    may_manage,
    may_manage_any,
)
from hoctap.learning.services import (
    centre_create,
    centre_update,
    course_create,
    course_update,
    session_add,
)
from hoctap.organisation.models import Unit

T = TypeVar("T")
FORM_METHODS = ["GET", "HEAD", "POST"]


def _save(form: forms.Form, write: Callable[[], T]) -> T | None:
    """Run a service; a refusal of the input goes on the form, a refusal of the user is raised."""
    try:
        return write()
    except ValidationError as error:
        form.add_error(None, error)
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    return None


def _page(request: HttpRequest, form: forms.Form, context: Mapping[str, str]) -> HttpResponse:
    """Render the form page; 400 when the input sent was refused."""
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "learning/form.html", {"form": form, **context}, status=status)


def _managed(user: User, unit: Unit) -> None:
    """Let through only those who run the unit's centre (the object is already in scope)."""
    if not may_manage(scope=scope_for(user), unit=unit):
        raise PermissionDenied


def _centre(user: User, pk: int) -> Centre:
    try:
        centre = centre_get(user=user, pk=pk)
    except NotFound:
        raise Http404 from None
    _managed(user, centre.unit)
    return centre


def _course(user: User, pk: int) -> Course:
    try:
        course = course_get(user=user, pk=pk)
    except NotFound:
        raise Http404 from None
    _managed(user, course.centre.unit)
    return course


@require_http_methods(FORM_METHODS)
@login_required
def centre_new_view(request: HttpRequest) -> HttpResponse:
    """Set up the learning centre of a commune the officer runs."""
    user = authenticated_user(request)
    scope = scope_for(user)
    if scope.is_empty:
        raise Http404
    if not may_manage_any(scope=scope):
        raise PermissionDenied
    form = CentreCreateForm(request.POST or None, communes=communes_without_centre(scope=scope))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        centre = _save(
            form,
            lambda: centre_create(
                user=user,
                unit=data["unit"],
                name=data["name"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
            ),
        )
        if centre is not None:
            messages.success(request, _("The learning centre was set up."))
            return redirect("learning:centre", pk=centre.pk)
    context = {
        "title": _("New learning centre"),
        "submit": _("Set up the centre"),
        "back": reverse("learning:centres"),
    }
    return _page(request, form, context)


@require_http_methods(FORM_METHODS)
@login_required
def centre_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a centre or correct its establishing decision."""
    user = authenticated_user(request)
    centre = _centre(user, pk)
    initial = {
        "name": centre.name,
        "decision_number": centre.decision_number,
        "decision_date": centre.decision_date,
    }
    form = CentreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _save(form, lambda: centre_update(user=user, centre=centre, **data))
        if saved is not None:
            messages.success(request, _("The learning centre was saved."))
            return redirect("learning:centre", pk=centre.pk)
    context = {
        "title": _("Edit the learning centre"),
        "subtitle": centre.unit.name,
        "submit": _("Save"),
        "back": reverse("learning:centre", args=[centre.pk]),
    }
    return _page(request, form, context)


def _course_input(data: dict[str, Any]) -> dict[str, Any]:
    """Return the course form's data as the course services take it."""
    return {
        "title": data["title"],
        "topic": Topic(data["topic"]),
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "teacher": data["teacher"],
        "indicators": data["indicators"],
    }


@require_http_methods(FORM_METHODS)
@login_required
def course_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a course to a centre."""
    user = authenticated_user(request)
    centre = _centre(user, pk)
    form = CourseForm(
        request.POST or None,
        indicators=indicator_choices(),
        initial={"indicators": list(DEFAULT_INDICATORS)},
    )
    if request.method == "POST" and form.is_valid():
        fields = _course_input(form.cleaned_data)
        course = _save(form, lambda: course_create(user=user, centre=centre, **fields))
        if course is not None:
            messages.success(request, _("The course was added."))
            return redirect("learning:course", pk=course.pk)
    context = {
        "title": _("New course"),
        "subtitle": centre.name,
        "submit": _("Add the course"),
        "back": reverse("learning:centre", args=[centre.pk]),
    }
    return _page(request, form, context)


@require_http_methods(FORM_METHODS)
@login_required
def course_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a course's title, topic, dates, teacher or indicators."""
    user = authenticated_user(request)
    course = _course(user, pk)
    initial = {
        "title": course.title,
        "topic": course.topic,
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
        "teacher": course.teacher,
        "indicators": list(course.indicators),
    }
    form = CourseForm(request.POST or None, indicators=indicator_choices(), initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _course_input(form.cleaned_data)
        saved = _save(form, lambda: course_update(user=user, course=course, **fields))
        if saved is not None:
            messages.success(request, _("The course was saved."))
            return redirect("learning:course", pk=course.pk)
    context = {
        "title": _("Edit the course"),
        "subtitle": course.centre.name,
        "submit": _("Save"),
        "back": reverse("learning:course", args=[course.pk]),
    }
    return _page(request, form, context)


@require_http_methods(FORM_METHODS)
@login_required
def session_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a session to a course, on a day within its dates."""
    user = authenticated_user(request)
    course = _course(user, pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = _save(
            form,
            lambda: session_add(user=user, course=course, on=data["date"], topic=data["topic"]),
        )
        if session is not None:
            messages.success(request, _("The session was added."))
            return redirect("learning:course", pk=course.pk)
    dates = f"{course.starts_on:%d/%m/%Y} – {course.ends_on:%d/%m/%Y}"
    context = {
        "title": _("New session"),
        "subtitle": f"{course.title} · {dates}",
        "submit": _("Add the session"),
        "back": reverse("learning:course", args=[course.pk]),
    }
    return _page(request, form, context)
