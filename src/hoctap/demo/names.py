"""Name parts for plausible synthetic people of Tuần Giáo: Thái, Mông, Kinh and Khơ-mú."""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class NameStyle:
    ethnicity: str
    surnames: tuple[str, ...]
    male_middle: tuple[str, ...]
    female_middle: tuple[str, ...]
    male_given: tuple[str, ...]
    female_given: tuple[str, ...]

    def make(self, rng: random.Random, *, female: bool) -> str:
        """Return a full name in this style."""
        middle = self.female_middle if female else self.male_middle
        given = self.female_given if female else self.male_given
        return f"{rng.choice(self.surnames)} {rng.choice(middle)} {rng.choice(given)}"


THAI = NameStyle(
    ethnicity="03",
    surnames=("Lò", "Lường", "Quàng", "Cà", "Tòng", "Cầm", "Lù", "Điêu", "Lưu"),
    male_middle=("Văn",),
    female_middle=("Thị",),
    male_given=("Muôn", "Bun", "Chung", "Phanh", "Xiêng", "Ún", "Pọm", "Hặc", "Ngoan", "Khằm"),
    female_given=("Ơn", "Pánh", "Tiên", "Phóng", "Xuân", "Ên", "Lả", "Ánh", "Ín", "Bua"),
)
MONG = NameStyle(
    ethnicity="08",
    surnames=("Giàng", "Mùa", "Sùng", "Vàng", "Thào", "Lầu", "Hờ", "Lý", "Chang", "Vừ"),
    male_middle=("A",),
    female_middle=("Thị",),
    male_given=("Dình", "Páo", "Chứ", "Sếnh", "Tủa", "Lử", "Xò", "Chá", "Dế", "Sính"),
    female_given=("Mỷ", "Dua", "Sua", "Dớ", "Pà", "Máy", "Chu", "Ly", "Mai", "Sểnh"),
)
KINH = NameStyle(
    ethnicity="01",
    surnames=("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô"),
    male_middle=("Văn", "Đức", "Minh", "Quang", "Hữu"),
    female_middle=("Thị", "Thu", "Ngọc", "Thanh"),
    male_given=("Hùng", "Dũng", "Tuấn", "Nam", "Hải", "Long", "Thắng", "Cường", "Đức", "Sơn"),
    female_given=("Hoa", "Lan", "Hương", "Mai", "Hằng", "Thảo", "Linh", "Nga", "Huyền", "Yến"),
)
KHMU = NameStyle(
    ethnicity="29",
    surnames=("Vì", "Lò", "Quàng", "Cụt"),
    male_middle=("Văn",),
    female_middle=("Thị",),
    male_given=("Thương", "Sương", "Lả", "Khăm", "Piu"),
    female_given=("Oanh", "Pâng", "Sim", "Thoa", "Nhất"),
)

# Thái are the majority of Tuần Giáo, then Mông; Kinh are mostly officials in the town.
STYLE_WEIGHTS = ((THAI, 55), (MONG, 25), (KINH, 15), (KHMU, 5))


def pick_style(rng: random.Random, *, official: bool) -> NameStyle:
    """Choose a name style; officials are more often Kinh."""
    weights = [w + (15 if style is KINH and official else 0) for style, w in STYLE_WEIGHTS]
    return rng.choices([s for s, _ in STYLE_WEIGHTS], weights=weights)[0]
