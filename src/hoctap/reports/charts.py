"""Bar charts drawn as inline SVG on the server: light, printable, the same in HTML and PDF."""

from dataclasses import dataclass
from decimal import Decimal

from hoctap.reports.figures import vi_percent
from hoctap.reports.model import Row


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    text: str
    y: int
    width: Decimal


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    label_width: int = 220
    bar_area: int = 300


BAR_HEIGHT, GAP = 22, 8


def pass_rate_chart(title: str, rows: list[Row]) -> BarChart:
    """Return a horizontal bar per row, its length the pass rate (0–100 %)."""
    bars = [
        Bar(
            label=row.name,
            value=row.counts.pass_rate,
            text=f"{vi_percent(row.counts.pass_rate)} ({row.counts.passed}/{row.counts.assessed})",
            y=i * (BAR_HEIGHT + GAP),
            width=(row.counts.pass_rate * 3).quantize(Decimal("0.1")),
        )
        for i, row in enumerate(rows)
    ]
    return BarChart(title=title, bars=bars, height=max(len(bars), 1) * (BAR_HEIGHT + GAP))
