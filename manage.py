#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if sys.argv[1:2] == ["simulate"]:
        # The simulation (tests/simulation) is a development tool: its app is installed only
        # for its own command, so production never imports it.
        os.environ["UNIBILL_SIMULATION"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
