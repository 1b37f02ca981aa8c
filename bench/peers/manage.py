#!/usr/bin/env python
"""Django's manage.py for a peer forum:  $V/bin/python manage.py --peer machina|spirit COMMAND ...
(e.g. collectstatic --noinput, check, dbshell, rebuild_index --noinput for Spirit's search index)."""

import sys

from base_settings import PEERS, use

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "--peer" or sys.argv[2] not in PEERS:
        sys.exit(f"usage: manage.py --peer {'|'.join(PEERS)} COMMAND [options]")
    use(sys.argv[2])
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *sys.argv[3:]])
