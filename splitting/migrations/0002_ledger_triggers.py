"""The ledger's invariants, held by the database:

- the entries of a transaction sum to zero — on PostgreSQL a deferred constraint trigger checks
  each transaction once at commit (a per-row sum would be quadratic for a charge import of
  200,000 entries, so the first row of a transaction checks it and marks it checked for the rest
  of the database transaction); SQLite has no deferred triggers, the services check it there;
- entries are never updated; they are deleted only while a purge marker row exists (removing a
  demo tenant), never by a booking."""

from django.db import migrations

PG = """
CREATE TABLE splitting_ledgerpurge (started_at timestamptz NOT NULL DEFAULT now());

CREATE FUNCTION splitting_entry_balanced() RETURNS trigger AS $$
DECLARE
  marker text := 'unibill_ledger.checked_' || NEW.transaction_id;
  total numeric;
BEGIN
  IF current_setting(marker, true) = 'y' THEN
    RETURN NULL;
  END IF;
  SELECT COALESCE(SUM(amount), 0) INTO total FROM splitting_entry
   WHERE transaction_id = NEW.transaction_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'ledger transaction % does not sum to zero (it sums to %)',
      NEW.transaction_id, total USING ERRCODE = 'check_violation';
  END IF;
  PERFORM set_config(marker, 'y', true);
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER splitting_entry_balanced AFTER INSERT ON splitting_entry
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION splitting_entry_balanced();

CREATE FUNCTION splitting_entry_immutable() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM splitting_ledgerpurge) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'ledger entries are never changed: post a reversing transaction';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER splitting_entry_immutable BEFORE UPDATE OR DELETE ON splitting_entry
  FOR EACH ROW EXECUTE FUNCTION splitting_entry_immutable();
"""
PG_DROP = """
DROP TRIGGER splitting_entry_immutable ON splitting_entry;
DROP FUNCTION splitting_entry_immutable();
DROP TRIGGER splitting_entry_balanced ON splitting_entry;
DROP FUNCTION splitting_entry_balanced();
DROP TABLE splitting_ledgerpurge;
"""
SQLITE = [
    "CREATE TABLE splitting_ledgerpurge (started_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    "CREATE TRIGGER splitting_entry_no_update BEFORE UPDATE ON splitting_entry "
    "BEGIN SELECT RAISE(ABORT, 'ledger entries are never changed'); END",
    "CREATE TRIGGER splitting_entry_no_delete BEFORE DELETE ON splitting_entry "
    "WHEN NOT EXISTS (SELECT 1 FROM splitting_ledgerpurge) "
    "BEGIN SELECT RAISE(ABORT, 'ledger entries are never deleted'); END",
]
SQLITE_DROP = [
    "DROP TRIGGER splitting_entry_no_delete",
    "DROP TRIGGER splitting_entry_no_update",
    "DROP TABLE splitting_ledgerpurge",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG, params=None)
    else:
        for statement in SQLITE:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    else:
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("splitting", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
