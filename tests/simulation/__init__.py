"""The deterministic simulation (issue 19): one seed drives a whole settlement centre through a
virtual clock, day by day, through the real services and wire formats, with faults; invariants
are recomputed independently after every simulated day. `manage.py simulate --seed S --months M`
runs it on a database of its own; a failing seed prints the day, the invariant, the values and
the command that replays it. Production never imports this package."""
