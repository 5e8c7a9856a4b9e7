"""The shape of a summary report: exact counts per row, rates derived from them."""

from dataclasses import dataclass, field
from decimal import Decimal

from hoctap.reports.figures import rate


@dataclass
class Counts:
    """Exact counts of assessments; rates are derived, never stored."""

    enrolled: int = 0
    reviewed: int = 0
    assessed: int = 0
    passed: int = 0

    @property
    def not_passed(self) -> int:
        return self.assessed - self.passed

    @property
    def pass_rate(self) -> Decimal:
        return rate(self.passed, self.assessed)

    @property
    def not_passed_rate(self) -> Decimal:
        return rate(self.not_passed, self.assessed)

    def add(self, *, n: int, state: str, passed: bool | None) -> None:
        """Count `n` assessments in `state` with result `passed`."""
        self.enrolled += n
        if state in ("branch_reviewed", "decided"):
            self.reviewed += n
        if state == "decided":
            self.assessed += n
            if passed:
                self.passed += n


@dataclass
class Row:
    code: str
    name: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class IndicatorRow:
    code: str
    text: str
    mean_final: Decimal
    below_min: int | None


@dataclass
class PendingRow:
    """A unit with assessments not yet decided, by state."""

    code: str
    name: str
    kind: str
    by_state: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_state.values())


@dataclass
class TrendRow:
    period: str
    counts: Counts


@dataclass
class TargetRow:
    code: str
    label: str
    target_percent: Decimal
    actual_percent: Decimal
    numerator: int
    denominator: int

    @property
    def met(self) -> bool:
        return self.actual_percent >= self.target_percent


@dataclass
class TitleRow:
    """One sibling title: subjects registered for it and recognised in the period."""

    code: str
    title: str
    scheme: str
    provisional: bool
    registered: int
    recognised: int

    @property
    def rate(self) -> Decimal:
        return rate(self.recognised, self.registered)


@dataclass
class CentreActivity:
    """The learning centres of a subtree and what they ran in the period."""

    centres: int = 0
    courses: int = 0
    sessions: int = 0
    participants: int = 0
    attendances: int = 0


@dataclass
class SummaryReport:
    period: str
    unit_code: str
    unit_name: str
    unit_kind: str
    tree: str
    scheme: str
    scheme_provisional: bool
    totals: Counts
    final: Counts
    by_group: list[Row]
    by_unit: list[Row]
    by_indicator: list[IndicatorRow]
    by_sex: list[Row]
    by_ethnicity: list[Row]
    by_age_band: list[Row]
    pending: list[PendingRow]
    trend: list[TrendRow]
    targets: list[TargetRow]
    titles: list[TitleRow] = field(default_factory=list)
    centres: CentreActivity = field(default_factory=CentreActivity)
