"""What one dunning run did, for the command's summary, the staff page and the audit row."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class DunningRunResult:
    """What one run did, for the command's summary, the staff page and the audit row."""

    tenant: str
    on: dt.date
    accounts_overdue: int = 0
    steps: Counter = field(default_factory=Counter)  # (position, outcome) → count
    deferred_quiet: int = 0
    deferred_cap: int = 0
    deferred_limits: Counter = field(default_factory=Counter)  # law's limit → count
    waiting: int = 0  # a level is due but the previous level's wait has not passed
    deescalated: int = 0
    messages_queued: int = 0
    cases: int = 0
    timings: dict = field(default_factory=dict)  # phase → seconds

    @property
    def fired(self) -> int:
        return sum(self.steps.values())

    def by_outcome(self) -> Counter:
        totals = Counter()
        for (_, outcome), count in self.steps.items():
            totals[outcome] += count
        return totals

    def summary(self) -> str:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(self.by_outcome().items())) or "none"
        return (
            f"Dunning {self.tenant} {self.on}: {self.accounts_overdue} overdue accounts, "
            f"{self.fired} steps ({outcomes}), {self.messages_queued} messages queued, "
            f"{self.cases} cases; deferred {self.deferred_quiet} quiet hours, "
            f"{self.deferred_cap} cap{self._limits_summary()}; "
            f"{self.deescalated} paid and reset"
        )

    def _limits_summary(self) -> str:
        if not self.deferred_limits:
            return ""
        parts = ", ".join(f"{k} {v}" for k, v in sorted(self.deferred_limits.items()))
        return f", contact limits of the law: {parts}"
