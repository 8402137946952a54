"""Settings of the mutual-help app, with defaults.

Override any of them in ``settings.MUTUALHELP`` (a dict), e.g.
``MUTUALHELP = {"UNANSWERED_DAYS": 7}``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # A request without any reply after this many days is flagged to the community worker.
    "UNANSWERED_DAYS": 5,
    # Search radius of a new post (metres) and the radii people may choose.
    "DEFAULT_RADIUS_M": 1000,
    "RADIUS_CHOICES_M": (500, 1000, 2000, 5000),
    # How many candidates a request shows and how many are told in the daily e-mail.
    "CANDIDATES_SHOWN": 10,
    "CANDIDATES_MAILED": 10,
    # Rate limits (django-ratelimit syntax) per signed-in person.
    "POST_RATE": "10/h",
    "MESSAGE_RATE": "30/10m",
    "REPORT_RATE": "10/h",
    "BLOCK_RATE": "20/h",
    # Shown distances are measured to a point moved by a secret, stable offset of at most this
    # many metres (see geo.jittered), so rounded distances cannot pin down where someone lives.
    "DISTANCE_JITTER_M": 250,
    # Someone's own point (from which they see distances) can change once per this many hours.
    "POINT_CHANGE_COOLDOWN_HOURS": 24,
    # Items per list on the neighbourhood page.
    "PAGE_SIZE": 20,
}


def setting(name: str) -> Any:
    overrides = getattr(settings, "MUTUALHELP", {}) or {}
    if name in overrides:
        return overrides[name]
    if name == "SITE_URL":
        # Base address used in e-mails and on paper (the digest runs from cron, without a
        # request): the project-wide SITE_URL, set from the environment.
        return settings.SITE_URL
    return DEFAULTS[name]
