"""Shared helpers for the places, wijkbeeld and agenda tests: a small municipality and people
with roles, made through the real services (no mocks)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from shutil import which

from buurtbasis.accounts import services as accounts
from buurtbasis.accounts.models import Role, User
from buurtbasis.areas.models import Area

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[5.10, 52.08], [5.12, 52.08], [5.12, 52.10], [5.10, 52.10], [5.10, 52.08]]],
}


@dataclass
class Town:
    gm: Area
    wk: Area
    bu: Area
    bu2: Area
    other_wk: Area
    other_bu: Area


def make_town(prefix: str = "9901") -> Town:
    gm = Area.objects.create(code=f"GM{prefix}", level="GM", name="Demodorp")
    gm.municipality = gm
    gm.save()
    wk = Area.objects.create(
        code=f"WK{prefix}01",
        level="WK",
        name="Oostwijk",
        parent=gm,
        municipality=gm,
        boundary=SQUARE,
    )
    bu = Area.objects.create(
        code=f"BU{prefix}0101",
        level="BU",
        name="Bloemenbuurt",
        parent=wk,
        municipality=gm,
        boundary=SQUARE,
    )
    bu2 = Area.objects.create(
        code=f"BU{prefix}0102", level="BU", name="Vogelbuurt", parent=wk, municipality=gm
    )
    other_wk = Area.objects.create(
        code=f"WK{prefix}02", level="WK", name="Westwijk", parent=gm, municipality=gm
    )
    other_bu = Area.objects.create(
        code=f"BU{prefix}0201", level="BU", name="Havenbuurt", parent=other_wk, municipality=gm
    )
    return Town(gm, wk, bu, bu2, other_wk, other_bu)


_counter = {"n": 0}


def person(area: Area | None = None, role: str | None = None, name: str = "") -> User:
    """A person; with ``role`` they hold it in ``area`` (professionals get an organisation)."""
    _counter["n"] += 1
    n = _counter["n"]
    user = accounts.register_user(
        email=f"wb{n}@example.org", display_name=name or f"Persoon {n}", password="x-9-secret-Q"
    )
    if role is not None and area is not None:
        org = (
            accounts.get_or_create_organisation("Welzijn Demodorp", "welzijn")
            if role == Role.PROFESSIONAL
            else None
        )
        accounts.grant_role(user, area, role, organisation=org)
    return user


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The text of a PDF, read back with pdftotext (poppler-utils); skips when absent (the
    tests also check the laid-out text through WeasyPrint's document API, which always runs)."""
    import pytest

    if which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())  # line breaks inside a heading do not matter


def pdf_pages_not_blank(pdf: bytes, tmp_path: Path) -> int:
    """Render every page to a PNG (pdftoppm) and check each has ink; returns the page count."""
    import pytest
    from PIL import Image

    if which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-gray", "-png", str(path), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages, "no pages rendered"
    for page in pages:
        with Image.open(page) as img:
            histogram = img.convert("L").histogram()
        dark = sum(histogram[:128])
        total = sum(histogram)
        assert dark / total > 0.002, f"{page.name} looks blank"
    return len(pages)
