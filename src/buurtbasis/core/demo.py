"""The demo data: the project's own invented municipality (filled in by load_demo)."""

DEMO_PASSWORD = "buurtbasis-demo"  # noqa: S105 (published demo password)


def demo_users() -> list[tuple[str, str]]:
    return []
