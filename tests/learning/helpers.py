"""Demo objects of Quài Cang's and Quài Nưa's learning centres, for the learning tests."""

from hoctap.learning.models import Centre, Course, Session
from hoctap.people.models import Citizen

QUAI_CANG = "03289"
QUAI_NUA = "03274"


def centre_of(code: str) -> Centre:
    """Return the demo centre of the commune with this code."""
    return Centre.objects.select_related("unit").get(unit__code=code)


def session_of(code: str) -> Session:
    """Return the first demo session of the commune's centre."""
    session = (
        Session.objects.filter(course__centre__unit__code=code)
        .select_related("course__centre__unit")
        .order_by("date", "pk")
        .first()
    )
    assert session is not None
    return session


def course_of(code: str) -> Course:
    """Return the first demo course of the commune's centre."""
    return session_of(code).course


def resident_of(code: str) -> Citizen:
    """Return a person who lives in the commune."""
    unit = centre_of(code).unit
    citizen = Citizen.objects.filter(home_unit__path__startswith=unit.path).order_by("pk").first()
    assert citizen is not None
    return citizen
