"""The translation catalogues (locale/nl and locale/en) are complete, compiled and in step with
the source.

Dutch is the source language: its catalogue maps every msgid to itself. English is the second
language. The .po files are read with a small reader of our own (polib is not a dependency);
``msgfmt`` and ``xgettext`` (GNU gettext) are used where a check needs them, and those checks
skip with a clear message when they are not installed.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
LANGUAGES = ("en", "nl")
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
# The same options as the Makefile's `messages` target.
MAKEMESSAGES_ARGS = [
    "makemessages",
    "-l",
    "en",
    "-l",
    "nl",
    "--ignore",
    ".venv/*",
    "--ignore",
    "var/*",
    "--ignore",
    "tests/*",
    "--ignore",
    "bench/*",
    "--ignore",
    "staticfiles/*",
    "--no-obsolete",
]


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translated(self) -> bool:
        forms = 2 if self.msgid_plural is not None else 1
        return all(self.msgstr.get(i) for i in range(forms))


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") included, obsolete ones marked."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    flags: set[str] = set()

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#,"):
            finish()
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#") and not obsolete:
            if current is not None and target is not None and target[0] == "msgstr":
                finish()
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, text = match.group(1), match.group(2), match.group(3)
            value = ast.literal_eval(text)
            if keyword in ("msgctxt", "msgid") and (
                current is None or (target is not None and target[0] == "msgstr")
            ):
                if keyword == "msgid" and current is not None and target == ("msgctxt", None):
                    pass  # msgid right after this entry's msgctxt
                else:
                    finish()
            if current is None:
                current = Entry(flags=flags, obsolete=obsolete, line=number)
                flags = set()
            if keyword == "msgctxt":
                current.msgctxt = value
                target = ("msgctxt", None)
            elif keyword == "msgid":
                current.msgid = value
                target = ("msgid", None)
            elif keyword == "msgid_plural":
                current.msgid_plural = value
                target = ("msgid_plural", None)
            else:
                slot = int(index) if index is not None else 0
                current.msgstr[slot] = value
                target = ("msgstr", slot)
            continue
        if line.startswith('"') and current is not None and target is not None:
            value = ast.literal_eval(line)
            kind, slot = target
            if kind == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + value
            elif kind == "msgid":
                current.msgid += value
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            else:
                assert slot is not None
                current.msgstr[slot] = current.msgstr.get(slot, "") + value
            continue
        raise AssertionError(f"{path}:{number}: cannot read this line: {raw!r}")
    finish()
    return entries


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def messages(lang: str) -> list[Entry]:
    return [e for e in read_po(po_path(lang)) if e.msgid and not e.obsolete]


def header(lang: str) -> dict[str, str]:
    head = next(e for e in read_po(po_path(lang)) if e.msgid == "" and not e.obsolete)
    assert "fuzzy" not in head.flags, f"the {lang} catalogue header is still marked fuzzy"
    fields = {}
    for row in head.msgstr[0].splitlines():
        name, _, value = row.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def mo_catalog(path: Path) -> dict[object, str]:
    """The messages of a compiled catalogue, without the header (it holds creation dates)."""
    with path.open("rb") as fp:
        translations = gettext.GNUTranslations(fp)
    catalog: dict[object, str] = dict(translations._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)
    return catalog


def expected_catalog(lang: str) -> dict[object, str]:
    """What msgfmt makes of the .po file: translated, non-fuzzy entries only."""
    catalog: dict[object, str] = {}
    for e in messages(lang):
        if "fuzzy" in e.flags or not e.translated:
            continue
        msgid = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            catalog[msgid] = e.msgstr[0]
        else:
            for i, text in sorted(e.msgstr.items()):
                catalog[(msgid, i)] = text
    return catalog


PLACEHOLDER = re.compile(r"%\([^)]+\)[-+ #0-9.]*[sdifr]|%%|\{[A-Za-z_0-9]*\}|</?[a-zA-Z][^>]*>")


# --- (a) complete: nothing untranslated, nothing fuzzy ------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_header(lang: str) -> None:
    fields = header(lang)
    assert fields.get("Language") == lang
    assert fields.get("Plural-Forms") == PLURAL_FORMS
    assert fields.get("Content-Type") == "text/plain; charset=UTF-8"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete(lang: str) -> None:
    entries = messages(lang)
    assert len(entries) > 100, f"the {lang} catalogue looks empty ({len(entries)} entries)"
    untranslated = [f"line {e.line}: {e.msgid!r}" for e in entries if not e.translated]
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated in {lang}: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {lang}: {fuzzy[:20]}"


def test_both_catalogues_hold_the_same_messages() -> None:
    assert {e.key for e in messages("en")} == {e.key for e in messages("nl")}


def test_dutch_catalogue_is_the_source_text() -> None:
    wrong = []
    for e in messages("nl"):
        expected = {0: e.msgid} if e.msgid_plural is None else {0: e.msgid, 1: e.msgid_plural}
        if e.msgstr != expected:
            wrong.append(f"line {e.line}: {e.msgid!r}")
    assert not wrong, f"Dutch msgstr differs from msgid: {wrong[:20]}"


def test_english_keeps_placeholders_and_markup() -> None:
    wrong = []
    for e in messages("en"):
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for i, source in enumerate(sources):
            wanted = sorted(PLACEHOLDER.findall(source))
            got = sorted(PLACEHOLDER.findall(e.msgstr.get(i, "")))
            # The singular of a plural may name the count in words ("one place").
            if got != wanted and not (e.msgid_plural is not None and set(got) <= set(wanted)):
                wrong.append(f"line {e.line}: {wanted} -> {got}")
            if source.endswith("\n") != e.msgstr.get(i, "").endswith("\n"):
                wrong.append(f"line {e.line}: trailing newline differs")
    assert not wrong, f"English translations that change placeholders: {wrong[:20]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_msgfmt_accepts_the_catalogue(lang: str, tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed: apt-get install gettext")
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", str(tmp_path / "x.mo"), str(po_path(lang))],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


# --- (b) the committed .mo files match the .po files -------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mo_file_matches_po_file(lang: str) -> None:
    mo = po_path(lang).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`"
    assert mo_catalog(mo) == expected_catalog(lang), f"{mo} is out of date: run `make messages`"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mo_file_matches_msgfmt_output(lang: str, tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed: apt-get install gettext")
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "-o", str(fresh), str(po_path(lang))], check=True)
    committed = po_path(lang).with_suffix(".mo")
    assert mo_catalog(committed) == mo_catalog(fresh), (
        f"{committed} is out of date: run `make messages`"
    )
    with committed.open("rb") as fp:
        assert gettext.GNUTranslations(fp).info().get("plural-forms") == PLURAL_FORMS


# --- (c) the catalogues are in step with the source --------------------------------------------


def test_catalogues_hold_every_message_of_the_source(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("xgettext/msgmerge (GNU gettext) are not installed: apt-get install gettext")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=ignore)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    shutil.copy2(ROOT / "manage.py", tmp_path / "manage.py")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES_ARGS],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for lang in LANGUAGES:
        fresh = {e.key for e in read_po(tmp_path / "locale" / lang / "LC_MESSAGES" / "django.po")}
        committed = {e.key for e in read_po(po_path(lang))}
        fresh.discard((None, "", None))
        committed.discard((None, "", None))
        added = sorted(k[1] for k in fresh - committed)
        gone = sorted(k[1] for k in committed - fresh)
        assert not added and not gone, (
            f"locale/{lang} is not in step with the source: run `make messages` and translate. "
            f"New: {added[:10]} ({len(added)}); no longer used: {gone[:10]} ({len(gone)})"
        )


# --- (d) pages are rendered in the chosen language ---------------------------------------------


@pytest.mark.django_db
def test_home_page_in_english_with_language_cookie(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Welcome to Buurtbasis" in html
    assert "Choose your municipality" in html
    assert "Welkom bij Buurtbasis" not in html


@pytest.mark.django_db
def test_home_page_in_dutch_with_language_cookie(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    html = client.get("/").content.decode()
    assert 'lang="nl"' in html
    assert "Welkom bij Buurtbasis" in html
    assert "Kies uw gemeente" in html
    assert "Welcome to Buurtbasis" not in html


@pytest.mark.django_db
def test_english_error_message_from_a_service(client: Client) -> None:
    """A translated validation message reaches the page in English (lazy and plain gettext)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("accounts:login"), {"email": "nobody@example.org", "password": "wrong-password"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This email address and password do not match" in html
