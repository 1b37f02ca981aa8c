import time

from django.core.management.base import BaseCommand

from ops.scheduler import JOBS, run_due_jobs
from ops.workers import tasks_reap


class Command(BaseCommand):
    help = "Enqueue the periodic jobs that are due and free the tasks of lost workers (from cron, a systemd timer, or --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running, checking every --interval seconds")
        parser.add_argument("--interval", type=int, default=60)
        parser.add_argument("--force", action="store_true", help="run every job now")
        parser.add_argument("--list", action="store_true", help="list the registered jobs")

    def handle(self, *args, loop, interval, force, list, **options):
        if list:
            for job in JOBS.values():
                self.stdout.write(f"{job.key}\tevery {job.every}")
            return
        while True:
            reaped = tasks_reap()  # tasks left RUNNING by a lost worker go back to the queue first
            if reaped.requeued or reaped.failed:
                self.stdout.write(f"lost tasks queued again: {len(reaped.requeued)}, failed: {len(reaped.failed)}")
            started = run_due_jobs(force=force)
            if started:
                self.stdout.write("enqueued: " + ", ".join(started))
            if not loop:
                return
            time.sleep(interval)
