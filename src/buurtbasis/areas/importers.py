"""Reading CBS statistics and boundary files into :class:`~buurtbasis.areas.models.Area` and
:class:`~buurtbasis.areas.models.IndicatorValue`.

Two steps, so that a bad file changes nothing:

1. *read and validate* the whole file into a plan (:func:`read_cbs_file`,
   :func:`read_boundary_file`); every problem is collected with file, row and column;
2. *write* the plan in one transaction with bulk statements (:func:`write_cbs_plan`,
   :func:`write_boundaries`).

Layouts of statistics files (see ``indicators``):

- the official KWB spreadsheet (``gwb_code_10, regio, gm_naam, recs, a_inw, …``), ``.csv`` or
  ``.xlsx``;
- StatLine/OData (``Codering_3``/``WijkenEnBuurten``, ``SoortRegio_2``, ``Gemeentecode``,
  ``Wijkcode``, ``Buurtnaam``, ``Gemeentenaam_1``, ``AantalInwoners_5``, …): columns match on
  their *stem*, without a ``Group/`` prefix and the table-version suffix ``_5``; ``.csv``,
  ``.xlsx`` or an OData ``.json`` answer (``{"value": [...]}``);
- a names list (``Identifier, Title``), which only creates areas and updates names.

Row numbers in messages count the header as row 1, as a spreadsheet program shows them.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Field, Q
from django.utils.translation import gettext as _

from . import indicators
from .models import Area, IndicatorValue, Level
from .services import CODE_PATTERNS, MAX_ABS_VALUE, ensure_catalogue

Progress = Callable[[str], None]

LEVELS = (Level.MUNICIPALITY, Level.DISTRICT, Level.NEIGHBOURHOOD)
LEVEL_WORDS = {"gemeente": Level.MUNICIPALITY, "wijk": Level.DISTRICT, "buurt": Level.NEIGHBOURHOOD}
COUNTRY_WORDS = {"land", "nederland"}
MISSING_TEXT = {"", ".", "x", "-", "?", "nan", "null", "none"}
# CBS marks missing or secret figures in numeric fields with -99995 … -99999.
SECRET_MARKERS = {Decimal(n) for n in range(-99999, -99994)}
PROGRESS_EVERY = 5000
MAX_LISTED_ERRORS = 20
MAX_LISTED_UNMATCHED = 20

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_YEAR_KWB = re.compile(r"kwb[-_ ]?((?:19|20)\d\d)(?!\d)", re.IGNORECASE)
_YEAR_ANY = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_STEM_SUFFIX = re.compile(r"_\d+$")
_YEAR_PREFIXED_CODE = re.compile(r"(?:19|20)\d\d((?:GM|WK|BU)[0-9A-Z]+)")


def _noop(message: str) -> None:
    pass


# --- reading tables ------------------------------------------------------------------------


@dataclass
class Table:
    """A file read as a header plus numbered rows (header = row 1)."""

    name: str
    header: list[str]
    rows: Iterable[tuple[int, list[Any]]]
    total: int | None = None
    # In a CSV file every row must have as many cells as the header: a short row would
    # otherwise read its missing cells as "no value" (and a re-import would remove figures).
    exact_width: bool = False


def decode_text(data: bytes) -> str:
    """Bytes of a text file as str: UTF-8 (with or without BOM), else cp1252, else latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def sniff_delimiter(first_line: str) -> str:
    """``;``, tab or ``,``: whichever occurs most in the header line (``,`` on a tie)."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _header_cell(value: Any) -> str:
    return "" if value is None else str(value).replace("\ufeff", "").strip()


def read_csv(path: Path) -> Table:
    text = decode_text(path.read_bytes())
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    try:
        header = [_header_cell(c) for c in next(reader)]
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise ValidationError(_("%(file)s: %(error)s") % {"file": path.name, "error": exc}) from exc

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from enumerate(reader, start=2)
        except csv.Error as exc:
            raise ValidationError(
                _("%(file)s, rij %(row)s: %(error)s")
                % {"file": path.name, "row": reader.line_num, "error": exc}
            ) from exc

    total = max(text.count("\n") - 1, 0)
    return Table(path.name, header, rows(), total=total, exact_width=True)


def read_xlsx(path: Path, accept: Callable[[list[str]], bool]) -> Table:
    """The first worksheet whose header ``accept`` takes (else the first worksheet)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValidationError(
            _("%(file)s is geen leesbaar Excel-bestand (%(error)s).")
            % {"file": path.name, "error": exc}
        ) from exc
    chosen = None
    for sheet in workbook.worksheets:
        first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        header = [_header_cell(c) for c in first]
        if chosen is None or accept(header):
            chosen = (sheet, header)
            if accept(header):
                break
    if chosen is None:
        return Table(path.name, [], iter(()))
    sheet, header = chosen

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            yield number, list(values)
        workbook.close()

    total = (sheet.max_row - 1) if sheet.max_row else None
    return Table(path.name, header, rows(), total=total)


def read_odata_json(path: Path) -> Table:
    try:
        data = json.loads(decode_text(path.read_bytes()))
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("%(file)s is geen geldige JSON (regel %(line)s): %(error)s")
            % {"file": path.name, "line": exc.lineno, "error": exc.msg}
        ) from exc
    records = data.get("value") if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValidationError(
            _('%(file)s: verwacht een OData-antwoord met een lijst "value".') % {"file": path.name}
        )
    header: list[str] = []
    for record in records:
        for key in record:
            if key not in header:
                header.append(key)
    rows = ((n, [r.get(k) for k in header]) for n, r in enumerate(records, start=2))
    return Table(path.name, header, rows, total=len(records))


def read_table(path: Path, accept: Callable[[list[str]], bool]) -> Table:
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return read_xlsx(path, accept)
    if suffix == ".json":
        return read_odata_json(path)
    if suffix in {".csv", ".txt", ".tsv", ""}:
        return read_csv(path)
    raise ValidationError(
        _("%(file)s: bestandstype %(suffix)s wordt niet ondersteund; gebruik .csv of .xlsx.")
        % {"file": path.name, "suffix": suffix}
    )


# --- recognising the layout ----------------------------------------------------------------

KWB_CODE_COLUMNS = ("gwb_code_10", "gwb_code")
KWB_MARKERS = {"gwb_code_10", "gwb_code_8", "gwb_code", "regio", "gm_naam", "recs", "ind_wbi"}
STATLINE_CODE_STEMS = ("Codering", "WijkenEnBuurten", "RegioS", "Identifier")
STATLINE_LEVEL_NAME_STEMS = {
    "Gemeentenaam": Level.MUNICIPALITY,
    "Wijknaam": Level.DISTRICT,
    "Buurtnaam": Level.NEIGHBOURHOOD,
}
STATLINE_PARENT_CODE_STEMS = {"Gemeentecode": Level.MUNICIPALITY, "Wijkcode": Level.DISTRICT}
STATLINE_OWN_NAME_STEMS = ("Title", "Naam", "Regio", "Regionaam")
STATLINE_MARKERS = (
    set(STATLINE_CODE_STEMS)
    | set(STATLINE_LEVEL_NAME_STEMS)
    | set(STATLINE_PARENT_CODE_STEMS)
    | set(STATLINE_OWN_NAME_STEMS)
    | {"SoortRegio"}
)


def stem(column: str) -> str:
    """``WijkenEnBuurten/Codering_3`` → ``Codering``; ``AantalInwoners_5`` → ``AantalInwoners``."""
    return _STEM_SUFFIX.sub("", column.rsplit("/", 1)[-1].strip())


@dataclass
class Columns:
    """Which column (index) plays which part."""

    layout: str  # "kwb" | "statline" | "names"
    code: int
    level: int | None = None
    own_name: int | None = None
    # A column naming the area at a level: its own name on rows of that level, the name of an
    # ancestor on rows below it (gm_naam, Gemeentenaam, Wijknaam, Buurtnaam).
    level_names: dict[str, int] = field(default_factory=dict)
    parent_codes: dict[str, int] = field(default_factory=dict)
    values: list[tuple[int, str]] = field(default_factory=list)  # (index, indicator key)
    # WijkenEnBuurten holds codes in OData answers but names in label exports.
    code_or_name: int | None = None


def detect_layout(header: list[str]) -> str | None:
    lower = {h.lower() for h in header}
    if lower & KWB_MARKERS:
        return "kwb"
    stems = {stem(h) for h in header}
    if stems & STATLINE_MARKERS or stems & set(indicators.BY_STATLINE_STEM):
        return "statline"
    if lower & set(indicators.BY_KWB_COLUMN):
        return "kwb"
    return None


def map_columns(file_name: str, header: list[str]) -> Columns:
    """Recognise the layout and map the columns, or raise ValidationError."""
    layout = detect_layout(header)
    shown = ", ".join(h for h in header[:8] if h) or _("(leeg)")
    if layout is None:
        raise ValidationError(
            _(
                "%(file)s: onbekende indeling. Verwacht de CBS-kolommen van de kerncijfers wijken "
                "en buurten (gwb_code_10, regio, a_inw, …) of van StatLine (Codering, "
                "AantalInwoners, …); gevonden: %(columns)s."
            )
            % {"file": file_name, "columns": shown}
        )
    values: list[tuple[int, str]] = []
    seen_keys: dict[str, str] = {}

    def add_value(index: int, spec: indicators.IndicatorSpec | None) -> None:
        if spec is None:
            return
        if spec.key in seen_keys:
            raise ValidationError(
                _("%(file)s: de kolommen %(a)s en %(b)s bevatten allebei %(label)s.")
                % {
                    "file": file_name,
                    "a": seen_keys[spec.key],
                    "b": header[index],
                    "label": spec.label_nl,
                }
            )
        seen_keys[spec.key] = header[index]
        values.append((index, spec.key))

    if layout == "kwb":
        lower = [h.lower() for h in header]
        code = next((lower.index(c) for c in KWB_CODE_COLUMNS if c in lower), None)
        if code is None:
            raise ValidationError(
                _("%(file)s: de kolom %(column)s met de CBS-code ontbreekt.")
                % {"file": file_name, "column": KWB_CODE_COLUMNS[0]}
            )
        columns = Columns("kwb", code)
        for index, name in enumerate(lower):
            if name == "recs":
                columns.level = index
            elif name == "regio":
                columns.own_name = index
            elif name == "gm_naam":
                columns.level_names[Level.MUNICIPALITY] = index
            else:
                add_value(index, indicators.BY_KWB_COLUMN.get(name))
        columns.values = values
        return columns

    stems = [stem(h) for h in header]
    code = next((stems.index(s) for s in STATLINE_CODE_STEMS if s in stems), None)
    if code is None:
        raise ValidationError(
            _("%(file)s: de kolom %(column)s met de CBS-code ontbreekt.")
            % {"file": file_name, "column": "Codering"}
        )
    columns = Columns("statline", code)
    for index, name in enumerate(stems):
        if index == code:
            continue
        if name == "SoortRegio":
            columns.level = index
        elif name in STATLINE_LEVEL_NAME_STEMS:
            columns.level_names[STATLINE_LEVEL_NAME_STEMS[name]] = index
        elif name in STATLINE_PARENT_CODE_STEMS:
            columns.parent_codes[STATLINE_PARENT_CODE_STEMS[name]] = index
        elif name in STATLINE_OWN_NAME_STEMS and columns.own_name is None:
            columns.own_name = index
        elif name == "WijkenEnBuurten":
            columns.code_or_name = index
        else:
            add_value(index, indicators.BY_STATLINE_STEM.get(name))
    columns.values = values
    if not values and stems[code] == "Identifier":
        columns.layout = "names"
    return columns


def _accept_header(header: list[str]) -> bool:
    return detect_layout(header) is not None


# --- parsing cells -------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_number(value: Any) -> Decimal | None:
    """A cell as Decimal; None for missing (empty, ``.``, ``x``, ``-``, CBS secret markers
    ``-99995`` … ``-99999``). Accepts a decimal comma (``1,9``; ``1.234,5``). Raises ValueError
    for anything else."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueError(value)
        return None
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise ValueError(value)
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip().replace("\u00a0", "")
        if text.lower() in MISSING_TEXT:
            return None
        if "," in text:
            text = (
                text.replace(".", "").replace(",", ".") if "." in text else text.replace(",", ".")
            )
        if not _NUMBER.fullmatch(text):
            raise ValueError(value)
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(value) from exc
    if not number.is_finite():
        raise ValueError(value)
    if number in SECRET_MARKERS:
        return None
    return number


def normalise_code(value: Any) -> str:
    return _text(value).upper()


def code_level(code: str) -> str | None:
    prefix = code[:2]
    pattern = CODE_PATTERNS.get(prefix)
    return prefix if pattern is not None and pattern.fullmatch(code) else None


def ancestor(code: str, level: str) -> str:
    """The code at ``level`` that contains ``code`` (or ``code`` itself at its own level)."""
    return {"GM": "GM" + code[2:6], "WK": "WK" + code[2:8], "BU": code}[level]


def year_from_name(name: str) -> int | None:
    """``CBS-Utrecht-kwb-2024.csv`` → 2024; ``kwb2024_buurten_nl.csv`` → 2024; else None."""
    base = Path(name).stem
    match = _YEAR_KWB.search(base) or _YEAR_ANY.search(base)
    return int(match.group(1)) if match else None


# --- the statistics plan -------------------------------------------------------------------


@dataclass
class AreaRow:
    code: str
    level: str
    name: str | None  # None: keep the existing name
    name_hint: str | None = None  # used for a new area, or one still named after its code
    row: int | None = None  # the file row, None for an ancestor derived from a code


@dataclass
class CbsPlan:
    file_name: str
    layout: str
    year: int | None
    areas: dict[str, AreaRow]
    values: list[tuple[str, str, Decimal | None]]  # (code, indicator key, value)
    indicator_keys: list[str]
    rows: int = 0
    skipped_rows: int = 0
    missing_values: int = 0


@dataclass
class CbsResult:
    file_name: str
    layout: str
    year: int | None
    rows: int
    skipped_rows: int
    indicators: list[str]
    areas_created: dict[str, int]
    areas_updated: dict[str, int]
    areas_unchanged: int
    values_written: int
    values_unchanged: int
    values_deleted: int
    missing_values: int

    def as_detail(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "layout": self.layout,
            "year": self.year,
            "rows": self.rows,
            "skipped_rows": self.skipped_rows,
            "indicators": self.indicators,
            "areas_created": self.areas_created,
            "areas_updated": self.areas_updated,
            "areas_unchanged": self.areas_unchanged,
            "values_written": self.values_written,
            "values_unchanged": self.values_unchanged,
            "values_deleted": self.values_deleted,
            "missing_values": self.missing_values,
        }


class _Errors:
    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.messages: list[str] = []
        self.count = 0

    def add(self, row: int, column: str, problem: str) -> None:
        self.count += 1
        if len(self.messages) < MAX_LISTED_ERRORS:
            self.messages.append(
                _("%(file)s, rij %(row)s, kolom %(column)s: %(problem)s")
                % {"file": self.file_name, "row": row, "column": column, "problem": problem}
            )

    def raise_if_any(self) -> None:
        if not self.count:
            return
        messages = list(self.messages)
        if self.count > len(messages):
            messages.append(_("… en nog %(n)s fouten.") % {"n": self.count - len(messages)})
        messages.append(_("Er is niets ingelezen."))
        raise ValidationError(messages)


def read_cbs_file(
    path: str | Path, year: int | None = None, *, progress: Progress = _noop
) -> CbsPlan:
    """Read and validate a CBS statistics file completely; raise ValidationError listing every
    problem (file, row, column) or return the plan to write."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(_("Bestand %(file)s bestaat niet.") % {"file": path})
    table = read_table(path, _accept_header)
    name = table.name
    columns = map_columns(name, table.header)
    if columns.values:
        year = year if year is not None else year_from_name(name)
        if year is None:
            raise ValidationError(
                _(
                    "%(file)s: het jaar van de cijfers is onbekend. Geef --year op of zet het "
                    "jaar in de bestandsnaam (bijvoorbeeld kwb-2024.csv)."
                )
                % {"file": name}
            )
        if not 1900 <= year <= 2100:
            raise ValidationError(_("%(year)s is geen geldig jaar.") % {"year": year})
    header = table.header
    errors = _Errors(name)
    areas: dict[str, AreaRow] = {}
    hints: dict[str, str] = {}
    values: list[tuple[str, str, Decimal | None]] = []
    plan = CbsPlan(name, columns.layout, year if columns.values else None, areas, values, [])
    plan.indicator_keys = [key for _i, key in columns.values]
    code_column = header[columns.code]

    def cell(row: list[Any], index: int | None) -> Any:
        return row[index] if index is not None and index < len(row) else None

    for number, row in table.rows:
        if not any(_text(c) for c in row):
            continue
        plan.rows += 1
        if table.exact_width and len(row) < len(header):
            errors.add(
                number,
                header[len(row)],
                _("de rij heeft %(found)s cellen, de kopregel %(expected)s")
                % {"found": len(row), "expected": len(header)},
            )
            continue
        if any(_text(c) for c in row[len(header) :]):
            errors.add(
                number,
                str(len(header) + 1),
                _("de rij heeft meer cellen (%(found)s) dan de kopregel (%(expected)s)")
                % {"found": len(row), "expected": len(header)},
            )
            continue
        if plan.rows % PROGRESS_EVERY == 0:
            if table.total:
                progress(
                    _("%(file)s: %(n)s van %(total)s rijen gelezen")
                    % {"file": name, "n": plan.rows, "total": table.total}
                )
            else:
                progress(_("%(file)s: %(n)s rijen gelezen") % {"file": name, "n": plan.rows})
        code = normalise_code(cell(row, columns.code))
        level_text = _text(cell(row, columns.level)).lower()
        if level_text in COUNTRY_WORDS or code.startswith("NL"):
            plan.skipped_rows += 1
            continue
        level = code_level(code)
        if level is None:
            errors.add(
                number,
                code_column,
                _('"%(code)s" is geen geldige CBS-code (GM0344, WK034401 of BU03440101)')
                % {"code": code},
            )
            continue
        if columns.level is not None and level_text:
            expected = LEVEL_WORDS.get(level_text)
            if expected != level:
                errors.add(
                    number,
                    header[columns.level],
                    _('"%(value)s" past niet bij code %(code)s')
                    % {"value": _text(cell(row, columns.level)), "code": code},
                )
                continue
        if code in areas and areas[code].row is not None:
            errors.add(
                number,
                code_column,
                _("%(code)s staat ook al in rij %(row)s") % {"code": code, "row": areas[code].row},
            )
            continue
        for parent_level, index in columns.parent_codes.items():
            given = normalise_code(cell(row, index))
            if not given or LEVELS.index(parent_level) > LEVELS.index(level):
                continue
            if given != ancestor(code, parent_level):
                errors.add(
                    number,
                    header[index],
                    _("%(given)s past niet bij code %(code)s (verwacht %(expected)s)")
                    % {"given": given, "code": code, "expected": ancestor(code, parent_level)},
                )
        own_name: str | None = None
        name_column: int | None = None
        candidates = [columns.own_name, columns.code_or_name, columns.level_names.get(level)]
        for candidate in candidates:
            text = _text(cell(row, candidate))
            if not text or (candidate == columns.code_or_name and code_level(text.upper())):
                continue  # WijkenEnBuurten holding a code, not a name
            own_name, name_column = text, candidate
            break
        if own_name is not None and name_column is not None and len(own_name) > 200:
            errors.add(number, header[name_column], _("de naam is langer dan 200 tekens"))
            continue
        areas[code] = AreaRow(code, level, own_name, row=number)
        for parent_level in LEVELS[: LEVELS.index(level)]:
            parent = ancestor(code, parent_level)
            hint = _text(cell(row, columns.level_names.get(parent_level)))
            if hint and parent not in hints and len(hint) <= 200:
                hints[parent] = hint
            if parent not in areas:
                areas[parent] = AreaRow(parent, parent_level, None)
        for index, key in columns.values:
            raw = cell(row, index)
            try:
                value = parse_number(raw)
            except ValueError:
                errors.add(
                    number, header[index], _('"%(value)s" is geen getal') % {"value": _text(raw)}
                )
                continue
            if value is not None and abs(value) >= MAX_ABS_VALUE:
                errors.add(
                    number, header[index], _('"%(value)s" is te groot') % {"value": _text(raw)}
                )
                continue
            if value is None:
                plan.missing_values += 1
            values.append((code, key, value))
    errors.raise_if_any()
    if not plan.rows - plan.skipped_rows:
        raise ValidationError(_("%(file)s bevat geen gebieden.") % {"file": name})
    for code, hint in hints.items():
        areas[code].name_hint = hint
    return plan


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_cbs_plan(plan: CbsPlan, *, progress: Progress = _noop) -> CbsResult:
    """Write a validated plan in one transaction: areas level by level (parents first), then
    values. Existing names are kept for areas that only appear as parents; a value that is
    missing in the file removes a stored value of that year. Idempotent."""
    result = CbsResult(
        plan.file_name,
        plan.layout,
        plan.year,
        plan.rows,
        plan.skipped_rows,
        plan.indicator_keys,
        {},
        {},
        0,
        0,
        0,
        0,
        plan.missing_values,
    )
    with transaction.atomic():
        catalogue = ensure_catalogue()
        existing = {
            code: (pk, name, parent_id, municipality_id)
            for pk, code, name, parent_id, municipality_id in Area.objects.values_list(
                "pk", "code", "name", "parent_id", "municipality_id"
            )
        }
        ids = {code: row[0] for code, row in existing.items()}
        for level in LEVELS:
            wanted = [a for a in plan.areas.values() if a.level == level]
            if not wanted:
                continue
            new: list[Area] = []
            changed: list[Area] = []
            for spec in wanted:
                current = existing.get(spec.code)
                parent_id = (
                    ids[ancestor(spec.code, "GM" if level == "WK" else "WK")]
                    if level != Level.MUNICIPALITY
                    else None
                )
                if spec.name:
                    name = spec.name
                elif current is not None and current[1] != spec.code:
                    name = current[1]
                else:
                    name = spec.name_hint or spec.code
                if level == Level.MUNICIPALITY:
                    municipality_id = current[0] if current is not None else None
                else:
                    municipality_id = ids[ancestor(spec.code, Level.MUNICIPALITY)]
                area = Area(
                    code=spec.code,
                    level=level,
                    name=name,
                    parent_id=parent_id,
                    municipality_id=municipality_id,
                )
                if current is None:
                    new.append(area)
                elif (name, parent_id, municipality_id) != current[1:]:
                    changed.append(area)
                else:
                    result.areas_unchanged += 1
            progress(
                _("%(level)s: %(new)s nieuw, %(changed)s bijgewerkt")
                % {"level": Level(level).label, "new": len(new), "changed": len(changed)}
            )
            # One upsert on the unique code for new and changed areas alike.
            Area.objects.bulk_create(
                new + changed,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "parent", "municipality"],
            )
            result.areas_created[level] = len(new)
            result.areas_updated[level] = len(changed)
            if new:
                ids.update(Area.objects.filter(level=level).values_list("code", "pk"))
            if level == Level.MUNICIPALITY:
                Area.objects.filter(level=level).filter(
                    Q(municipality__isnull=True) | ~Q(municipality=F("pk"))
                ).update(municipality=F("pk"))

        if plan.values:
            assert plan.year is not None
            indicator_ids = {key: catalogue[key].pk for key in plan.indicator_keys}
            stored = {
                (area_id, indicator_id): (pk, value)
                for pk, area_id, indicator_id, value in IndicatorValue.objects.filter(
                    year=plan.year, indicator_id__in=list(indicator_ids.values())
                ).values_list("pk", "area_id", "indicator_id", "value")
            }
            to_write: list[tuple[int, int, int, Decimal]] = []
            to_delete: list[int] = []
            quantum = Decimal("0.0001")
            for code, key, value in plan.values:
                pair = (ids[code], indicator_ids[key])
                old = stored.get(pair)
                if value is None:
                    if old is not None:
                        to_delete.append(old[0])
                    continue
                value = value.quantize(quantum)
                if old is not None and old[1] == value:
                    result.values_unchanged += 1
                    continue
                to_write.append((pair[0], pair[1], plan.year, value))
            progress(
                _("cijfers: %(n)s schrijven, %(d)s verwijderen")
                % {"n": len(to_write), "d": len(to_delete)}
            )
            upsert_values(to_write)
            for ids_batch in _chunks(to_delete, 500):
                IndicatorValue.objects.filter(pk__in=ids_batch).delete()
            result.values_written = len(to_write)
            result.values_deleted = len(to_delete)
    return result


def upsert_values(rows: list[tuple[int, int, int, Decimal]]) -> None:
    """Insert or update ``(area_id, indicator_id, year, value)`` rows on the unique
    (area, indicator, year).

    On SQLite and PostgreSQL this is ``INSERT … ON CONFLICT … DO UPDATE`` in plain SQL: building
    160,000 model instances for ``bulk_create`` costs several times more than the database
    work itself. SQLite runs it with ``executemany`` (in-process, cheap per row); PostgreSQL
    gets one statement per 20,000 rows from unnested arrays. Other databases get
    ``bulk_create(update_conflicts=True)``, which means the same.
    """
    if not rows:
        return
    if connection.vendor not in {"sqlite", "postgresql"}:
        IndicatorValue.objects.bulk_create(
            [IndicatorValue(area_id=a, indicator_id=i, year=y, value=v) for a, i, y, v in rows],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["area", "indicator", "year"],
            update_fields=["value"],
        )
        return
    meta = IndicatorValue._meta
    quote = connection.ops.quote_name
    columns = []
    for name in ("area", "indicator", "year", "value"):
        model_field = meta.get_field(name)
        assert isinstance(model_field, Field)
        columns.append(quote(model_field.column))
    area, indicator, year, value = columns
    # Only quoted identifiers from the model's metadata are formatted in; values are parameters.
    table = quote(meta.db_table)
    conflict = f"ON CONFLICT ({area}, {indicator}, {year}) DO UPDATE SET {value} = EXCLUDED.{value}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per batch: arrays unnested into rows (executemany would be one
            # round trip per row).
            sql = " ".join(
                [
                    f"INSERT INTO {table} ({area}, {indicator}, {year}, {value})",  # noqa: S608
                    "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::int[], %s::numeric[])",
                    conflict,
                ]
            )
            for batch in _chunks(rows, 20000):
                cursor.execute(sql, [list(column) for column in zip(*batch, strict=True)])
        else:
            sql = " ".join(
                [
                    f"INSERT INTO {table} ({area}, {indicator}, {year}, {value})",  # noqa: S608
                    "VALUES (%s, %s, %s, %s)",
                    conflict,
                ]
            )
            for batch in _chunks(rows, 10000):
                cursor.executemany(sql, batch)


# --- boundaries ----------------------------------------------------------------------------

RD_NEW = "EPSG:28992"
WGS84 = "EPSG:4326"
_EPSG = re.compile(r"EPSG:*(\d+)", re.IGNORECASE)
CODE_PROPERTY_ORDER = ("statcode", "buurtcode", "wijkcode", "gemeentecode", "code")


@dataclass
class BoundaryPlan:
    file_name: str
    source_crs: str
    geometries: dict[str, dict[str, Any]]  # code → GeoJSON geometry (WGS84, 6 decimals)
    features: int
    without_code: int
    without_geometry: int


@dataclass
class BoundaryResult:
    file_name: str
    source_crs: str
    features: int
    matched: dict[str, int]
    unmatched: list[str]
    without_code: int
    without_geometry: int
    dry_run: bool

    @property
    def matched_total(self) -> int:
        return sum(self.matched.values())

    def as_detail(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "source_crs": self.source_crs,
            "features": self.features,
            "matched": self.matched,
            "unmatched": len(self.unmatched),
            "unmatched_codes": self.unmatched[:MAX_LISTED_UNMATCHED],
            "without_code": self.without_code,
            "without_geometry": self.without_geometry,
        }


def feature_code(properties: dict[str, Any], code_property: str | None = None) -> str | None:
    """The CBS code of a feature: the given property, else the most specific valid GM/WK/BU
    code among its properties (``CBS_Buurtcode``, ``buurtcode``, ``statcode``,
    ``jrstatcode`` = ``2024WK039206``, …)."""
    if code_property is not None:
        code = normalise_code(properties.get(code_property))
        match = _YEAR_PREFIXED_CODE.fullmatch(code)
        code = match.group(1) if match else code
        return code if code_level(code) else None
    found: dict[str, list[tuple[int, str]]] = {}
    for key, raw in properties.items():
        if not isinstance(raw, str):
            continue
        code = normalise_code(raw)
        match = _YEAR_PREFIXED_CODE.fullmatch(code)
        code = match.group(1) if match else code
        level = code_level(code)
        if level is None:
            continue
        lowered = key.lower()
        rank = next(
            (i for i, name in enumerate(CODE_PROPERTY_ORDER) if name in lowered),
            len(CODE_PROPERTY_ORDER),
        )
        found.setdefault(level, []).append((rank, code))
    for level in reversed(LEVELS):
        if level in found:
            return min(found[level])[1]
    return None


def _first_position(geometry: dict[str, Any]) -> tuple[float, float] | None:
    coords: Any = geometry.get("coordinates")
    while isinstance(coords, list) and coords and isinstance(coords[0], list):
        coords = coords[0]
    if isinstance(coords, list) and len(coords) >= 2:
        try:
            return float(coords[0]), float(coords[1])
        except (TypeError, ValueError):
            return None
    return None


def source_crs(data: dict[str, Any], features: list[dict[str, Any]]) -> str:
    """The CRS of a GeoJSON file: its (old-style) ``crs`` member, else RD New when the
    coordinates are obviously metres, else WGS84."""
    crs = data.get("crs")
    if isinstance(crs, dict):
        name = str((crs.get("properties") or {}).get("name", ""))
        if "CRS84" in name.upper():
            return WGS84
        match = _EPSG.search(name)
        if match:
            return f"EPSG:{match.group(1)}"
    for feature in features:
        geometry = feature.get("geometry")
        position = _first_position(geometry) if isinstance(geometry, dict) else None
        if position is not None:
            x, y = position
            if abs(x) > 180 or abs(y) > 90:
                return RD_NEW
            return WGS84
    return WGS84


class _Reprojector:
    def __init__(self, crs: str) -> None:
        self.transformer = None
        if crs != WGS84:
            from pyproj import Transformer

            self.transformer = Transformer.from_crs(crs, WGS84, always_xy=True)

    def ring(self, positions: list[Any]) -> list[list[float]]:
        xs = [float(p[0]) for p in positions]
        ys = [float(p[1]) for p in positions]
        if self.transformer is not None:
            xs, ys = self.transformer.transform(xs, ys)
        points = [[round(x, 6), round(y, 6)] for x, y in zip(xs, ys, strict=True)]
        if not all(math.isfinite(c) for p in points for c in p):
            raise ValueError("coordinates out of range")
        return points


def _polygons(geometry: dict[str, Any], reproject: _Reprojector) -> list[list[list[list[float]]]]:
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    polygons: Any
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    elif kind == "GeometryCollection":
        return [p for g in geometry.get("geometries") or [] for p in _polygons(g, reproject)]
    else:
        raise ValueError(_("geometrie %(kind)s is geen vlak") % {"kind": kind})
    if not isinstance(polygons, list):
        raise ValueError(_("coördinaten ontbreken"))
    result = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValueError(_("een vlak zonder coördinaten"))
        rings = []
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                raise ValueError(_("een rand met minder dan 4 punten"))
            try:
                rings.append(reproject.ring(ring))
            except (TypeError, ValueError, IndexError) as exc:
                raise ValueError(_("ongeldige coördinaten")) from exc
        result.append(rings)
    return result


def read_boundary_file(path: str | Path, code_property: str | None = None) -> BoundaryPlan:
    """Read and validate a GeoJSON file of boundaries; reproject to WGS84 (6 decimals)."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ValidationError(_("Bestand %(file)s bestaat niet.") % {"file": path})
    try:
        data = json.loads(decode_text(path.read_bytes()))
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("%(file)s is geen geldige JSON (regel %(line)s, kolom %(column)s): %(error)s")
            % {"file": name, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
        ) from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    elif isinstance(data, dict) and isinstance(data.get("features"), list):
        features = data["features"]
    else:
        raise ValidationError(_("%(file)s is geen GeoJSON FeatureCollection.") % {"file": name})
    if not features:
        raise ValidationError(_("%(file)s bevat geen features.") % {"file": name})
    crs = source_crs(data, features)
    try:
        reproject = _Reprojector(crs)
    except Exception as exc:  # pyproj.exceptions.CRSError
        raise ValidationError(
            _("%(file)s: onbekend coördinatenstelsel %(crs)s.") % {"file": name, "crs": crs}
        ) from exc
    polygons: dict[str, list[Any]] = {}
    without_code = without_geometry = 0
    messages: list[str] = []
    property_names: set[str] = set()
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            messages.append(
                _("%(file)s, feature %(n)s: geen GeoJSON-feature") % {"file": name, "n": number}
            )
            continue
        properties = feature.get("properties") or {}
        property_names.update(properties)
        code = feature_code(properties, code_property)
        if code is None:
            without_code += 1
            continue
        geometry = feature.get("geometry")
        if not geometry:
            without_geometry += 1
            continue
        try:
            polygons.setdefault(code, []).extend(_polygons(geometry, reproject))
        except (ValueError, AttributeError) as exc:
            messages.append(
                _("%(file)s, feature %(n)s (%(code)s): %(error)s")
                % {"file": name, "n": number, "code": code, "error": exc}
            )
    if messages:
        raise ValidationError([*messages[:MAX_LISTED_ERRORS], _("Er is niets ingelezen.")])
    if not polygons:
        raise ValidationError(
            _(
                "%(file)s: geen enkele feature heeft een CBS-code (GM…, WK… of BU…). "
                "Eigenschappen: %(properties)s. Kies er een met --property."
            )
            % {"file": name, "properties": ", ".join(sorted(property_names)[:20])}
        )
    geometries: dict[str, dict[str, Any]] = {
        code: (
            {"type": "Polygon", "coordinates": parts[0]}
            if len(parts) == 1
            else {"type": "MultiPolygon", "coordinates": parts}
        )
        for code, parts in polygons.items()
    }
    return BoundaryPlan(name, crs, geometries, len(features), without_code, without_geometry)


def write_boundaries(plan: BoundaryPlan, *, dry_run: bool = False) -> BoundaryResult:
    """Store the geometries on the areas with the same code, in one transaction."""
    known = dict(Area.objects.values_list("code", "pk"))
    matched: dict[str, int] = {}
    unmatched: list[str] = []
    updates: list[Area] = []
    for code in sorted(plan.geometries):
        if code in known:
            matched[code[:2]] = matched.get(code[:2], 0) + 1
            updates.append(Area(pk=known[code], boundary=plan.geometries[code]))
        else:
            unmatched.append(code)
    if not dry_run and updates:
        with transaction.atomic():
            Area.objects.bulk_update(updates, ["boundary"], batch_size=100)
    return BoundaryResult(
        plan.file_name,
        plan.source_crs,
        plan.features,
        matched,
        unmatched,
        plan.without_code,
        plan.without_geometry,
        dry_run,
    )
