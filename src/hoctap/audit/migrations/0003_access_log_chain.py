# Hash-chain the access log and make it append-only (ADR 0024).

from django.db import migrations, models

from hoctap.audit.chain import GENESIS, access_hash

TABLE = "audit_accesslogentry"
TRIGGER = "accesslogentry_append_only"
ACCESS_LOG = "access_log"
CHUNK = 2000


def chain_existing(apps, schema_editor):
    """Number and chain the entries already stored, in the order they were written."""
    Entry = apps.get_model("audit", "AccessLogEntry")
    ChainHead = apps.get_model("audit", "ChainHead")
    ids = list(Entry.objects.order_by("at", "pk").values_list("pk", flat=True))
    seq, prev = 0, GENESIS
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        entries = Entry.objects.in_bulk(chunk)
        for pk in chunk:
            e = entries[pk]
            seq += 1
            e.seq, e.prev_hash = seq, prev
            e.hash = prev = access_hash(
                seq=seq,
                at=e.at,
                user_id=e.user_id,
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                detail=e.detail,
                prev_hash=e.prev_hash,
            )
        Entry.objects.bulk_update(list(entries.values()), ["seq", "prev_hash", "hash"])
    ChainHead.objects.update_or_create(name=ACCESS_LOG, defaults={"count": seq, "head": prev})


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
        ("audit", "0002_alter_accesslogentry_action"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("count", models.PositiveBigIntegerField(default=0)),
                ("head", models.CharField(blank=True, max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="seq",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="at",
            field=models.DateTimeField(db_index=True),
        ),
        # The head row is made here and again on first use, since a flush empties the table.
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="accesslogentry",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True),
        ),
        # Last: on SQLite an altered table is rebuilt, which would drop the trigger.
        migrations.RunPython(_run(_CREATE), _run(_DROP)),
    ]
