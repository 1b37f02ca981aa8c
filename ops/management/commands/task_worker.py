"""``manage.py task_worker``: django_tasks_db's ``db_worker`` with a heartbeat and the reaper.

Same options as ``db_worker``. Run workers with this command (Makefile, compose.yaml, systemd,
scripts/prod-like do): a task whose worker dies is then given back to the queue once the lease
has passed (ops/workers.py), and ``/readyz`` sees the workers alive.
"""

from django_tasks_db.management.commands import db_worker

from ops.workers import Heartbeat, tasks_reap


class Command(db_worker.Command):
    help = "Run a database task worker that beats a heartbeat and gives lost tasks back to the queue."

    def handle(self, *args, **options):
        tasks_reap()  # what a previous worker of this machine left RUNNING, once its lease has passed
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
