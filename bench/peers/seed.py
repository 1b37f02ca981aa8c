#!/usr/bin/env python
"""Seed a peer forum in the shape of Maillage's forum bench: seedlib.py says the shape both peers
share, peer_<name>/seed.py the peer's own tables, rendering and denormalised counters.

    $V/bin/python seed.py --peer machina            # migrate + build once (skips if already built)
    $V/bin/python seed.py --peer machina --rebuild  # empty the peer's tables and members, build again

($V: the peer's virtualenv, see README.md.) About 10 s for machina, 14 s for Spirit (it renders
every comment with its own Markdown).
"""

from __future__ import annotations

import argparse
import importlib
import sys

import seedlib
from base_settings import PEERS, use


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peer", choices=PEERS, required=True)
    ap.add_argument("--rebuild", action="store_true", help="empty and rebuild")
    args = ap.parse_args()
    use(args.peer)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    peer = importlib.import_module(f"peer_{args.peer}.seed")
    call_command("migrate", verbosity=0)
    if args.rebuild:
        peer.wipe()
    state = peer.state()
    if state == "built":
        print("already built (use --rebuild to start again)")
    else:
        if state == "partial":
            sys.exit(f"partial data in {settings.DATABASES['default']['NAME']}: run with --rebuild")
        run = seedlib.Run()
        with transaction.atomic(), connection.cursor() as cur:
            peer.build(run, cur, seedlib.copy_members(cur, run))
        peer.finish(run)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        run.out(f"built in {run.elapsed():.1f} s")
    peer.describe()


if __name__ == "__main__":
    main()
