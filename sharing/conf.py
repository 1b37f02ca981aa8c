"""Settings of the sharing app.

* ``SHARING_REMINDER_HOURS`` (default 24): how long before the start the borrower is reminded.
* ``SHARING_MAX_DAYS`` (default 60): the longest booking, in days.
* ``SHARING_MAX_PHOTOS`` (default 6): photos per item.
"""

import os

from django.conf import settings


def reminder_hours() -> int:
    return int(getattr(settings, "SHARING_REMINDER_HOURS", os.environ.get("SHARING_REMINDER_HOURS", 24)))


def max_days() -> int:
    return int(getattr(settings, "SHARING_MAX_DAYS", os.environ.get("SHARING_MAX_DAYS", 60)))


def max_photos() -> int:
    return int(getattr(settings, "SHARING_MAX_PHOTOS", os.environ.get("SHARING_MAX_PHOTOS", 6)))
