"""Admin of the dated national rows the warehouse keeps: due-date rules and the production
calendar. Staff look; superusers edit."""

from django.contrib import admin

from warehouse.admin import NationalRowAdmin
from warehouse.models import CalendarDay, DueDateRule


@admin.register(DueDateRule)
class DueDateRuleAdmin(NationalRowAdmin):
    list_display = ("profile", "valid_from", "day", "documents_by_day", "source")
    list_filter = ("profile",)


@admin.register(CalendarDay)
class CalendarDayAdmin(NationalRowAdmin):
    list_display = ("profile", "day", "kind", "source")
    list_filter = ("profile", "kind")
    date_hierarchy = "day"
