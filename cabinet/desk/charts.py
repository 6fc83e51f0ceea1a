"""The dashboard's debt trend: the inline-SVG bar chart of `core.ui.charts` (no script, no
external asset), one bar a month."""

from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cabinet.desk.selectors import TenantBoard
from core.ui.charts import Series, bar_chart


def debt_trend_chart(board: TenantBoard) -> SafeString:
    series = Series(
        title=_("Overdue debt at the end of each month"),
        categories=[formats.date_format(month, "M Y") for month, _v in board.trend],
        series={_("Overdue debt"): [value for _m, value in board.trend]},
    )
    return bar_chart(series, view=board.tenant, width=520, height=220)
