"""The wallet models became the `wallets` app (wallets 0001): splitting forgets them from its
migration state only. Their tables stay as they are, now owned by wallets (`Meta.db_table`).
The content types follow the models, so admin history and any permissions stay attached."""

from django.db import migrations

MOVED = (
    "walletmovement",
    "coupon",
    "couponbatch",
    "fee",
    "office",
    "wallet",
    "corporateinvitation",
    "corporatemember",
    "corporatepayer",
)


def content_types_to(old_label, new_label):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        rows = content_type.objects.using(schema_editor.connection.alias)
        for model in MOVED:
            if not rows.filter(app_label=new_label, model=model).exists():
                rows.filter(app_label=old_label, model=model).update(app_label=new_label)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("splitting", "0010_wallets"),
        ("wallets", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # Each model before the ones it points to.
            state_operations=[
                migrations.DeleteModel(name="WalletMovement"),
                migrations.DeleteModel(name="Coupon"),
                migrations.DeleteModel(name="CouponBatch"),
                migrations.DeleteModel(name="Fee"),
                migrations.DeleteModel(name="Office"),
                migrations.DeleteModel(name="Wallet"),
                migrations.DeleteModel(name="CorporateInvitation"),
                migrations.DeleteModel(name="CorporateMember"),
                migrations.DeleteModel(name="CorporatePayer"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_types_to("splitting", "wallets"), content_types_to("wallets", "splitting")
        ),
    ]
