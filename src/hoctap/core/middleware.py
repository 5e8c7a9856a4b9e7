"""Request filters that apply to every page and API operation alike."""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

_NUL = "\x00"
# \u0000 not preceded by another backslash (an odd run of backslashes before the u).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class RefuseNulCharacters:
    """Refuse a request whose parameters or form fields hold a NUL character.

    No text anyone types holds one, PostgreSQL cannot store one (SQLite can), and letting it
    through would make the same request fail on one database and pass on the other. Uploaded
    files are not looked at: their bytes are checked by the evidence and import readers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Answer 400 before any view runs when a NUL is present."""
        if self._holds_nul(request):
            message = _("The request holds a NUL character, which no field may contain.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "errors": [message]}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _holds_nul(request: HttpRequest) -> bool:
        if request.content_type == "application/json":
            # JSON spells it as an escape (an escaped backslash before "u0000" is plain text).
            body = request.body
            if b"\x00" in body or _JSON_NUL.search(body):
                return True
            fields = [*request.GET.lists()]
        else:
            fields = [*request.GET.lists()]
            if request.method == "POST":
                fields += [*request.POST.lists()]
        return _NUL in request.path or any(
            _NUL in key or any(_NUL in value for value in values) for key, values in fields
        )
