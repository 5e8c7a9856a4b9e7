"""The pilot's learning families: candidates registered and decided in 2020–2021 (demo only)."""

import random
from datetime import date

from hoctap.accounts.models import User
from hoctap.assessments.models import Period
from hoctap.organisation.models import Unit
from hoctap.people.models import Household
from hoctap.recognition.models import TitleEntry
from hoctap.recognition.titles import title_decide, title_register
from hoctap.schemes.candidates import family_candidates

SEED = 2021
PERIOD = "2020-2021"
DECIDED_ON = date(2021, 6, 15)


def build_titles(communes: dict[str, Unit], officers: dict[str, User]) -> None:
    """Register each commune's learning-family candidates and decide them (idempotent).

    Scores are drawn so that most families pass and a few fall short of the 70 points of the
    scheme's own criteria, as a real year would give.
    """
    period = Period.objects.filter(code=PERIOD).first()
    if period is None or TitleEntry.objects.filter(period=period).exists():
        return
    rng = random.Random(SEED)  # noqa: S311 - synthetic demo data, reproducible on purpose
    for number, (code, commune) in enumerate(sorted(communes.items()), start=1):
        officer = officers[code]
        for candidate in family_candidates(user=officer, period=period, unit=commune).items:
            household = candidate.subject
            if not isinstance(household, Household):
                continue
            entry = title_register(user=officer, period=period, household=household)
            scores = {
                "CS1": str(rng.randint(18, 30)),
                "CS2": str(rng.randint(20, 30)),
                "CS3": str(rng.randint(8, 20)),
                "CS4": str(rng.randint(8, 20)),
            }
            title_decide(
                user=officer,
                entry_id=entry.pk,
                scores=scores,
                decision_number=f"{number:02d}/QĐ-HKH",
                decision_date=DECIDED_ON,
            )
