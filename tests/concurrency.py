"""Races in one process: threads held at one start line, each with its own database connection."""

import threading

from django.db import connections


def run_concurrently(fn, args_list: list[tuple], *, timeout: float = 120) -> list[Exception]:
    """Call ``fn(*args)`` once per item of ``args_list``, all threads released together.

    Returns the exceptions the calls raised (in no particular order), for the test to sort
    into expected refusals and real errors. Each thread closes its connections when done.
    """
    barrier = threading.Barrier(len(args_list))
    raised: list[Exception] = []

    def worker(args):
        try:
            barrier.wait(timeout=30)
            fn(*args)
        except Exception as exc:  # handed back to the test
            raised.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(a,)) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return raised
