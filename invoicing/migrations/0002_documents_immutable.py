"""Issued documents are immutable: the database refuses to change their amounts, reference,
QR payload or frozen view, and refuses any update of their lines. Superseding a document
only flips its status. (Deleting stays possible for demo resets; no page offers it.)"""

from django.db import migrations

FROZEN = (
    "reference",
    "opening",
    "charges",
    "payments",
    "amount_due",
    "advance",
    "qr_payload",
    "view",
    "account_id",
    "period",
    "number",
    "issued_at",
    "due_date",
)

PG = f"""
CREATE FUNCTION invoicing_document_immutable() RETURNS trigger AS $$
BEGIN
  IF {" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN)} THEN
    RAISE EXCEPTION 'payment documents are immutable: issue a new document that supersedes it';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER invoicing_document_immutable BEFORE UPDATE ON invoicing_paymentdocument
  FOR EACH ROW EXECUTE FUNCTION invoicing_document_immutable();
CREATE FUNCTION invoicing_line_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'payment document lines are immutable';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER invoicing_line_immutable BEFORE UPDATE ON invoicing_documentline
  FOR EACH ROW EXECUTE FUNCTION invoicing_line_immutable();
"""
PG_DROP = """
DROP TRIGGER invoicing_document_immutable ON invoicing_paymentdocument;
DROP FUNCTION invoicing_document_immutable();
DROP TRIGGER invoicing_line_immutable ON invoicing_documentline;
DROP FUNCTION invoicing_line_immutable();
"""
SQLITE = [
    "CREATE TRIGGER invoicing_document_immutable BEFORE UPDATE OF "
    f"{', '.join(FROZEN)} ON invoicing_paymentdocument "
    "WHEN " + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN) + " "
    "BEGIN SELECT RAISE(ABORT, 'payment documents are immutable'); END",
    "CREATE TRIGGER invoicing_line_no_update BEFORE UPDATE ON invoicing_documentline "
    "BEGIN SELECT RAISE(ABORT, 'payment document lines are immutable'); END",
]
SQLITE_DROP = ["DROP TRIGGER invoicing_document_immutable", "DROP TRIGGER invoicing_line_no_update"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG)
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
    dependencies = [("invoicing", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
