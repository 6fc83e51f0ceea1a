"""The resident's charges chart: the inline-SVG bar chart of `core.ui.charts` (the collections
dashboard's), stacked per supplier, one bar a month — no script and no external asset, so it
prints and works on a phone."""

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cabinet.selectors import ChargeHistory
from core.ui.charts import Series, bar_chart


def charges_series(history: ChargeHistory) -> Series:
    """The chart's numbers: per supplier, the month's charges (minor units), oldest first."""
    return Series(
        title=_("Charges per month"),
        categories=list(history.periods),
        series={name: list(amounts) for name, amounts in history.by_supplier.items()},
    )


def charges_chart(history: ChargeHistory, *, view) -> SafeString:
    """`view` gives the currency and locale of the amounts (a tenant or a document view)."""
    return bar_chart(charges_series(history), view=view, stacked=True, width=560, height=260)
