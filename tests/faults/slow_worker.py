"""``manage.py task_worker`` for the worker-kill fault test, with two test-only knobs.

- ``FAULTS_ALERT_DELAY`` (seconds): each funding alert waits that long after writing its e-mail
  or notification, inside the watch's transaction, so that a batch lasts long enough to be
  killed in the middle — most likely with a transaction open.
- ``--enqueue``: first enqueue what the periodic scheduler would (instant and daily alerts, the
  outbox sweep), then work.

Run as ``python -m tests.faults.slow_worker [--enqueue] [task_worker options]``.
"""

import os
import sys
import time


def _slowed(function, delay):
    def slow(*args, **kwargs):
        result = function(*args, **kwargs)
        time.sleep(delay)
        return result

    return slow


def main(argv: list[str]) -> None:
    import django

    django.setup()
    delay = float(os.environ.get("FAULTS_ALERT_DELAY") or 0)
    if delay:
        from funding.services import alerts

        alerts._alert_email = _slowed(alerts._alert_email, delay)
        alerts.notification_send = _slowed(alerts.notification_send, delay)
    if "--enqueue" in argv:
        from community.outbox import outbox_sweep_task
        from funding.tasks import alerts_daily_task, alerts_instant_task

        argv = [a for a in argv if a != "--enqueue"]
        alerts_daily_task.enqueue()
        alerts_instant_task.enqueue()
        outbox_sweep_task.enqueue()
    from django.core.management import call_command

    call_command("task_worker", "--no-startup-delay", "--interval", "0.1", "--no-reload", *argv)


if __name__ == "__main__":
    main(sys.argv[1:])
