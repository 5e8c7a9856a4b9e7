"""Input and output shapes of the HTTP API (one per operation, as the style guide asks)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field


class Message(Schema):
    detail: str
    # Machine-readable: what the refusal means (consent_missing, stale_version, …; spec §5).
    code: str = ""
    errors: list[str] = []


class TokenIn(Schema):
    username: str
    password: str
    # Only for accounts with two-step sign-in: the code their authenticator app shows.
    otp: str | None = None


class TokenOut(Schema):
    token: str


class TokenInfoOut(Schema):
    """One of the caller's tokens; the secret itself is never stored, so never shown."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    # None: the token works until revoked.
    expires_at: datetime | None


class UnitBrief(Schema):
    code: str
    name: str
    kind: str


class UnitOut(UnitBrief):
    valid_from: date
    valid_to: date | None
    parent: str | None
    children: list[UnitBrief]


class CitizenIn(Schema):
    full_name: str = Field(min_length=1, max_length=120)
    birth_year: int
    sex: Literal["male", "female"]
    ethnicity: str = ""
    national_id: str | None = None
    household: str = ""


class ConsentIn(Schema):
    given: bool
    how: Literal["paper", "verbal", "online"]


class AssessmentCreateIn(Schema):
    id: UUID
    period: str
    unit: str
    group: str
    citizen: CitizenIn
    # Required in effect: a create without it, or with "given": false, is refused (400).
    consent: ConsentIn | None = None


class CitizenOut(Schema):
    id: int
    full_name: str
    birth_year: int
    sex: str
    ethnicity: str | None
    national_id_masked: str


class ScoreLayers(Schema):
    self: dict[str, Decimal]
    reviewer: dict[str, Decimal]
    final: dict[str, Decimal]


class DecisionOut(Schema):
    number: str
    date: date | None
    body: str


class AssessmentOut(Schema):
    id: UUID
    period: str
    scheme: str
    unit: str
    group: str
    state: str
    version: int
    citizen: CitizenOut | None
    scores: ScoreLayers
    result: str | None
    passed: bool | None
    final_total: Decimal | None
    decision: DecisionOut | None
    allowed_actions: list[str]


class AssessmentPage(Schema):
    items: list[AssessmentOut]
    count: int
    page: int
    page_size: int


class ScoresIn(Schema):
    layer: Literal["self", "reviewer", "final"]
    scores: dict[str, Decimal | int | str]
    version: int


class DecisionIn(Schema):
    number: str
    date: date
    body: str = ""


class TransitionIn(Schema):
    action: Literal["self_assess", "submit", "review", "decide", "return", "reopen"]
    version: int
    reason: str = ""
    decision: DecisionIn | None = None
    # review: "self", decide: "reviewer": take that layer's scores for the blanks, as seen.
    accept: Literal["self", "reviewer"] | None = None


class EvidenceOut(Schema):
    id: UUID
    sha256: str
    size: int
    content_type: str
    indicators: list[str]


# Ids the database can hold (a 64-bit key): a larger number names nobody and is refused by schema.
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]
# One sheet is one session of one commune's centre: a longer list is a client's mistake.
ATTENDANCE_LIMIT = 1000


class AttendanceIn(Schema):
    citizens: list[RecordId] = Field(max_length=ATTENDANCE_LIMIT)


class AttendanceOut(Schema):
    session: int
    # How many of the people sent were not yet recorded: 0 when the same list is sent again.
    added: int
    # How many people are now recorded present at the session, whoever recorded them.
    present: int
