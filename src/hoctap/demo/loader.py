"""Load the whole demo: the pilot's people, its decided year and the year in progress."""

from django.db import transaction

from hoctap.accounts.models import User
from hoctap.demo.assessments import build_next_period, build_pilot_period
from hoctap.demo.pilot import COMMUNE_OFFICERS, DemoPilot, build_pilot
from hoctap.learning.demo import build_learning
from hoctap.recognition.demo import build_titles


@transaction.atomic
def demo_load() -> DemoPilot:
    """Build the Tuần Giáo pilot of spec §1 in an empty database."""
    pilot = build_pilot()
    officers = {code: User.objects.get(username=name) for code, name in COMMUNE_OFFICERS.items()}
    build_pilot_period(pilot, officers)
    build_next_period(pilot, officers)
    build_learning(pilot.communes, officers)
    build_titles(pilot.communes, officers)
    return pilot
