"""Settings of the orientation app.

* ``ORIENTATION_RETENTION_DAYS`` (default 90): days the referred person's personal data (name,
  contact, note) is kept on a referral; the daily job empties it afterwards.
"""

import os

from django.conf import settings


def retention_days() -> int:
    return int(getattr(settings, "ORIENTATION_RETENTION_DAYS", os.environ.get("ORIENTATION_RETENTION_DAYS", 90)))
