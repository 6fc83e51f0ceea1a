"""The dunning procedure: once a day per tenant, every overdue account climbs one level of the
tenant's procedure when it qualifies, and an account whose overdue debt is paid starts over.

Rules (one run for tenant T on date D at moment `now`):
- overdue debt = open amount of the account's debts due before D (charges and penalties);
  days past due = D minus the due date of the oldest overdue charges item (of any item when only
  penalties are overdue).
- The level that may fire is the first one after the account's current level (position order)
  whose `days_past_due` and `min_debt` the account reaches; it fires only when the previous
  level's `wait_days` have passed since that level's step, and never twice for one account on one
  date — which makes a second run for the same date a no-op, and at most one level per day.
- Overdue debt paid (none left) → the state resets: no level, next cycle.
- SMS during the tenant's quiet hours (its time zone), any message over the frequency cap
  (`max_messages_per_week` dunning messages in the 7 days up to D), and an SMS or e-mail that
  would break a contact limit of the law (230-ФЗ ст. 7 ч. 5 for RU: the hours, 2 a day, 4 a
  calendar week, 16 a calendar month, counting every message the account had — see
  services.contact_limits) are *deferred*: nothing is recorded, so a later run — the same day
  after the quiet hours, or a later day — fires them. The result counts them per limit.
- An account that opted out of the level's channel, or has no phone / e-mail for it, gets the
  step recorded as suppressed and no message. The level counts as done: the procedure goes on
  to the next channels and to people, rather than waiting for ever on a channel the payer closed
  (which would also stop the legal levels that must follow).

The modules, in the order a run goes through them:
- `run`: the run itself (`dunning_run`, `dunning_run_due`), its transaction, lock and result;
- `selection`: choosing who is due a step (overdue debt, states, the level that may fire);
- `channels`: deciding what each step does (channel, consent, quiet hours, caps, limits);
- `rendering`: the message texts (templates compiled once per run, their contexts);
- `writing`: writing messages, cases, steps and states, and the sends after commit;
- `defaults`: the demo procedure and its texts in the tenant's language."""
