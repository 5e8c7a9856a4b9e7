"""The official list of ethnic groups, kept in the database as reference data."""

import json
from importlib import resources
from typing import Any

from hoctap.core.text import fold_compact
from hoctap.people.models import Ethnicity


def ethnicity_sync(**_kwargs: Any) -> None:
    """Create or update the 54 groups from the shipped list (run after every migrate)."""
    rows = json.loads(
        resources.files("hoctap.people").joinpath("data/ethnicities.json").read_text()
    )
    for row in rows:
        keys = sorted({fold_compact(name) for name in [row["name"], *row["aliases"]]})
        Ethnicity.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "match_keys": keys}
        )
