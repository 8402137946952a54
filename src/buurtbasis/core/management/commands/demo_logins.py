from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the demo log-ins (filled in by the demo data)."

    def handle(self, *args: Any, **options: Any) -> None:
        from buurtbasis.core.demo import DEMO_PASSWORD, demo_users

        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for email, role in demo_users():
            self.stdout.write(f"  {email:40} {role}")
