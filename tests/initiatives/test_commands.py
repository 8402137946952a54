"""Management commands: reminders for cron, and computing a Pabulib file."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ..conftest import shared_file


def test_reminders_command_runs_on_an_empty_database(db: None) -> None:
    out = StringIO()
    call_command("send_grant_reminders", "--today", "2026-11-20", stdout=out)
    assert "0 herinnering" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("send_grant_reminders", "--today", "gisteren")


def test_equal_shares_of_a_pabulib_file() -> None:
    path = shared_file("pabulib", "pb", "Poland_Gdynia_2020_Babie_Doly__small.pb")
    out = StringIO()
    call_command("equal_shares_pb", str(path), stdout=out)
    text = out.getvalue()
    assert "Gelijke delen:" in text and "Meeste stemmen:" in text
    assert "Gepubliceerd:" in text
    with pytest.raises(CommandError):
        call_command("equal_shares_pb", "/nonexistent.pb")
