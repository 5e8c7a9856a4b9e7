"""The Tuần Giáo demo's learning centres: one per pilot commune, courses and attendance."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from hoctap.accounts.models import User
from hoctap.learning.models import Centre, Topic
from hoctap.learning.services import attendance_record, centre_create, course_create, session_add
from hoctap.organisation.models import Unit
from hoctap.people.models import Citizen

SEED = 2021


@dataclass(frozen=True)
class CoursePlan:
    title: str
    topic: Topic
    starts_on: date
    teacher: str
    indicators: tuple[str, ...] = ("CS1", "CS3")
    sessions: int = 3


COURSES: dict[str, tuple[CoursePlan, ...]] = {
    "03253": (
        CoursePlan(
            "Tiếng Anh giao tiếp cơ bản",
            Topic.LANGUAGES,
            date(2021, 10, 4),
            "Lò Thị Hương",
            ("CS1", "CS3", "CS6"),
            4,
        ),
        CoursePlan(
            "Quản lý kinh doanh hộ gia đình",
            Topic.ECONOMY,
            date(2022, 3, 7),
            "Nguyễn Văn Thành",
            ("CS1", "CS3", "CS7"),
        ),
    ),
    "03289": (
        CoursePlan(
            "Kỹ thuật chăn nuôi lợn và gà", Topic.HUSBANDRY, date(2021, 9, 20), "Quàng Văn Piệng"
        ),
        CoursePlan(
            "Tin học cơ bản cho cán bộ xã",
            Topic.IT,
            date(2021, 11, 8),
            "Đỗ Minh Tuấn",
            ("CS1", "CS3", "CS5"),
            4,
        ),
        CoursePlan(
            "Phổ biến pháp luật về đất đai",
            Topic.LEGAL_ADVICE,
            date(2022, 4, 11),
            "Lường Văn Thắng",
        ),
    ),
    "03274": (
        CoursePlan("Trồng cà phê và cây ăn quả", Topic.FARMING, date(2021, 10, 11), "Cà Văn Ơn"),
        CoursePlan(
            "Chăm sóc sức khỏe bà mẹ và trẻ em",
            Topic.HEALTH,
            date(2022, 2, 14),
            "Tòng Thị Xuân",
            ("CS1", "CS3", "CS4"),
        ),
    ),
}


def build_learning(communes: dict[str, Unit], officers: dict[str, User]) -> None:
    """Give each pilot commune a centre with courses, sessions and attendance (idempotent)."""
    rng = random.Random(SEED)  # noqa: S311 - synthetic demo data, reproducible on purpose
    for code, plans in COURSES.items():
        commune = communes[code]
        if Centre.objects.filter(unit=commune).exists():
            continue
        officer = officers[code]
        centre = centre_create(
            user=officer,
            unit=commune,
            name=f"Trung tâm học tập cộng đồng {commune.name[:1].lower()}{commune.name[1:]}",
            decision_number=f"{rng.randint(10, 99)}/QĐ-UBND",
            decision_date=date(2019, 8, 15),
        )
        people = list(
            Citizen.objects.filter(home_unit__path__startswith=commune.path)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for plan in plans:
            course = course_create(
                user=officer,
                centre=centre,
                title=plan.title,
                topic=plan.topic,
                starts_on=plan.starts_on,
                ends_on=plan.starts_on + timedelta(weeks=2 * plan.sessions),
                teacher=plan.teacher,
                indicators=plan.indicators,
            )
            class_list = rng.sample(people, k=min(len(people), 18))
            for n in range(plan.sessions):
                session = session_add(
                    user=officer,
                    course=course,
                    on=plan.starts_on + timedelta(weeks=2 * n),
                    topic=f"Buổi {n + 1}",
                )
                present = [pk for pk in class_list if rng.random() < 0.8]
                attendance_record(user=officer, session=session, citizen_ids=present)
