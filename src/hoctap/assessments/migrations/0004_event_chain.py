# Hash-chain the assessment events and make the table append-only (ADR 0024).

import django.db.models.deletion
from django.db import migrations, models

from hoctap.audit.chain import GENESIS, event_hash

TABLE = "assessments_assessmentevent"
TRIGGER = "assessmentevent_append_only"
CHUNK = 500


def chain_existing(apps, schema_editor):
    """Number and chain the events already stored, in the order they were written."""
    Assessment = apps.get_model("assessments", "Assessment")
    Event = apps.get_model("assessments", "AssessmentEvent")
    last = None
    while True:
        ids = Assessment.objects.order_by("pk").values_list("pk", flat=True)
        batch = list((ids.filter(pk__gt=last) if last else ids)[:CHUNK])
        if not batch:
            return
        last = batch[-1]
        chains = {}
        for e in Event.objects.filter(assessment_id__in=batch).order_by("at", "pk"):
            chains.setdefault(e.assessment_id, []).append(e)
        events, heads = [], []
        for aid, chain in chains.items():
            prev = GENESIS
            for seq, e in enumerate(chain, start=1):
                e.seq, e.prev_hash = seq, prev
                e.hash = prev = event_hash(
                    assessment_id=aid,
                    seq=seq,
                    at=e.at,
                    actor_id=e.actor_id,
                    access_code_id=e.access_code_id,
                    action=e.action,
                    from_state=e.from_state,
                    to_state=e.to_state,
                    reason=e.reason,
                    changes=e.changes,
                    prev_hash=e.prev_hash,
                )
                events.append(e)
            heads.append(Assessment(pk=aid, event_count=len(chain), event_head=prev))
        Event.objects.bulk_update(events, ["seq", "prev_hash", "hash"], batch_size=CHUNK)
        Assessment.objects.bulk_update(heads, ["event_count", "event_head"], batch_size=CHUNK)


_CREATE = {
    "sqlite": [
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END"
    ],
    "postgresql": [
        f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{TABLE} is append-only' USING ERRCODE = 'restrict_violation'; "
        "END $$",
        # Row level: an UPDATE that touches no row (as loaddata tries first) is let through.
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()",
    ],
}
_DROP = {
    "sqlite": [f"DROP TRIGGER IF EXISTS {TRIGGER}"],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}",
        f"DROP FUNCTION IF EXISTS {TRIGGER}()",
    ],
}


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0003_access_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="event_count",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="assessment",
            name="event_head",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.AddField(
            model_name="assessmentevent",
            name="seq",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="assessmentevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="assessmentevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="assessmentevent",
            name="at",
            field=models.DateTimeField(),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="assessmentevent",
            name="assessment",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="assessments.assessment",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessmentevent",
            constraint=models.UniqueConstraint(
                fields=("assessment", "seq"), name="one_event_per_seq"
            ),
        ),
        # Last: on SQLite an altered table is rebuilt, which would drop the trigger.
        migrations.RunPython(_run(_CREATE), _run(_DROP)),
    ]
