from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from buurtbasis.accounts.models import User
from buurtbasis.core.demo import DEMO_PASSWORD, demo_users


class Command(BaseCommand):
    # Data only: `make run` starts runserver right after, which runs the system checks.
    requires_system_checks: list[str] = []
    help = "Print the demo log-ins that exist in this database."

    def handle(self, *args: Any, **options: Any) -> None:
        present = set(
            User.objects.filter(email__in=[email for email, _role in demo_users()]).values_list(
                "email", flat=True
            )
        )
        logins = [(email, role) for email, role in demo_users() if email in present]
        if not logins:
            self.stdout.write("No demo log-ins in this database (run `manage.py load_demo`).")
            return
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for email, role in logins:
            self.stdout.write(f"  {email:40} {role}")
