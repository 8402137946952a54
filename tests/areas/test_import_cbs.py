"""``manage.py import_cbs``: real CBS files (skipped when ../shared/data is absent) and small
synthetic files for every kind of bad input."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from buurtbasis.areas.models import Area, IndicatorValue, Level
from buurtbasis.core.models import AuditEvent
from tests.conftest import shared_file

pytestmark = pytest.mark.django_db


def run_import(path: Path, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cbs", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def level_counts() -> dict[str, int]:
    return {level: Area.objects.filter(level=level).count() for level in Level}


def value_of(code: str, key: str, year: int = 2024) -> Decimal | None:
    row = IndicatorValue.objects.filter(area__code=code, indicator__key=key, year=year).first()
    return row.value if row else None


def all_values() -> dict[tuple[str, str, int], Decimal]:
    return {
        (code, key, year): value
        for code, key, year, value in IndicatorValue.objects.values_list(
            "area__code", "indicator__key", "year", "value"
        )
    }


def snapshot() -> tuple[Any, ...]:
    """Everything an import may touch, to prove a failed import changed nothing."""
    return (
        sorted(Area.objects.values_list("code", "name", "parent__code", "municipality__code")),
        sorted(all_values().items()),
        AuditEvent.objects.count(),
    )


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# --- real files ----------------------------------------------------------------------------


def test_utrecht_csv_counts_and_values_match_the_file() -> None:
    path = shared_file("cbs", "CBS-Utrecht-kwb-2024.csv")
    run_import(path)
    rows = read_rows(path)
    codes = [r["gwb_code_10"].strip() for r in rows]
    expected = {level: sum(1 for c in codes if c.startswith(level)) for level in Level}
    assert expected == {"GM": 1, "WK": 10, "BU": 111}
    assert level_counts() == expected
    by_code = {r["gwb_code_10"].strip(): r for r in rows}
    assert value_of("GM0344", "inhabitants") == Decimal(by_code["GM0344"]["a_inw"]) == 374238
    neighbourhood = next(r for r in rows if r["recs"] == "Buurt" and r["a_inw"] != ".")
    code = neighbourhood["gwb_code_10"].strip()
    assert value_of(code, "inhabitants") == Decimal(neighbourhood["a_inw"])
    assert value_of(code, "household_size") == Decimal(neighbourhood["g_hhgro"])
    area = Area.objects.get(code=code)
    assert area.name == neighbourhood["regio"]
    assert area.parent is not None and area.parent.code == "WK" + code[2:8]
    assert area.municipality is not None and area.municipality.code == "GM0344"
    assert Area.objects.get(code="GM0344").name == "Utrecht"
    # "." is missing: no value stored for it
    missing = next(r for r in rows if r["a_woning"] == ".")
    assert value_of(missing["gwb_code_10"].strip(), "dwellings") is None


def test_utrecht_csv_and_xlsx_give_identical_values() -> None:
    csv_path = shared_file("cbs", "CBS-Utrecht-kwb-2024.csv")
    xlsx_path = shared_file("cbs", "CBS-Utrecht-kwb-2024.xlsx")
    run_import(xlsx_path)
    from_xlsx = all_values()
    names_xlsx = dict(Area.objects.values_list("code", "name"))
    assert level_counts() == {"GM": 1, "WK": 10, "BU": 111}
    IndicatorValue.objects.all().delete()
    run_import(csv_path)
    assert all_values() == from_xlsx
    assert dict(Area.objects.values_list("code", "name")) == names_xlsx
    assert len(from_xlsx) > 1000


def test_reimport_is_idempotent_and_picks_up_changes(tmp_path: Path) -> None:
    path = shared_file("cbs", "CBS-Utrecht-kwb-2024.csv")
    run_import(path)
    counts, values = level_counts(), all_values()
    run_import(path)
    assert level_counts() == counts and all_values() == values

    changed = tmp_path / path.name
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    gm_row = next(r for r in rows if r[0] == "GM0344")
    gm_row[header.index("a_inw")] = "400000"
    gm_row[header.index("a_man")] = "."  # now missing: the stored value goes
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    changed.write_text(buffer.getvalue(), encoding="utf-8")
    run_import(changed)
    assert level_counts() == counts
    assert value_of("GM0344", "inhabitants") == 400000
    assert value_of("GM0344", "men") is None
    assert len(all_values()) == len(values) - 1


def test_country_neighbourhood_file() -> None:
    path = shared_file("cbs", "kwb2024_buurten_nl.csv")
    output = run_import(path)
    rows = read_rows(path)
    assert len(rows) == 13817
    assert Area.objects.filter(level=Level.NEIGHBOURHOOD).count() == 13817
    assert Area.objects.filter(level=Level.MUNICIPALITY).count() == len(
        {r["Gemeentecode"].strip() for r in rows}
    )
    first = rows[0]
    code = first["Codering"].strip()
    area = Area.objects.select_related("parent", "municipality").get(code=code)
    assert area.name == first["Buurtnaam"].strip()
    assert area.parent is not None and area.parent.code == first["Wijkcode"].strip()
    assert area.parent.name == area.parent.code  # unknown district: named after its code
    assert area.municipality is not None
    assert area.municipality.name == first["Gemeentenaam"].strip()
    assert value_of(code, "inhabitants") == Decimal(first["AantalInwoners_5"])
    assert value_of(code, "registered_crimes") == Decimal(first["GeregistreerdeMisdrijven_1"])
    assert "13817" in output
    event = AuditEvent.objects.get(action="areas.import_cbs")
    assert event.origin == "cli" and event.detail["areas_created"]["BU"] == 13817


def test_municipalities_and_districts_file_keeps_existing_names() -> None:
    path = shared_file("cbs", "kwb2024_gemeenten_wijken_kerncijfers.csv")
    from buurtbasis.areas import services

    services.upsert_area("GM0344", "Utrecht")
    run_import(path)
    assert Area.objects.filter(level=Level.MUNICIPALITY).count() == 342
    assert Area.objects.filter(level=Level.DISTRICT).count() == 3393
    assert Area.objects.get(code="GM0344").name == "Utrecht"
    rows = read_rows(path)
    row = next(r for r in rows if r["SoortRegio"].strip() == "Wijk")
    assert value_of(row["Codering"].strip(), "dwellings") == Decimal(row["Woningvoorraad_35"])
    assert value_of(row["Codering"].strip(), "area_water") == Decimal(row["OppervlakteWater_124"])


def test_names_file_updates_names(tmp_path: Path) -> None:
    path = shared_file("cbs", "cbs_buurt_namen_85984.csv")
    from buurtbasis.areas import services

    gm = services.upsert_area("GM0363", "Amsterdam")
    wk = services.upsert_area("WK0363AF", "Jordaan", parent=gm)
    services.upsert_area("BU0363AF01", "oude naam", parent=wk)
    run_import(path)
    names = {r["Identifier"].strip(): r["Title"].strip() for r in read_rows(path)}
    assert Area.objects.filter(level=Level.NEIGHBOURHOOD).count() == len(names)
    assert Area.objects.get(code="BU0363AF01").name == names["BU0363AF01"]
    assert Area.objects.get(code="WK0363AF").name == "Jordaan"
    assert not IndicatorValue.objects.exists()


# --- synthetic files -----------------------------------------------------------------------

KWB_HEADER = "gwb_code_10,gwb_code_8,regio,gm_naam,recs,gwb_code,ind_wbi,a_inw,g_hhgro,p_koopw"
KWB_ROWS = [
    "GM0344,0344,Utrecht,Utrecht,Gemeente,GM0344,1,374238,1.9,42",
    "WK034401,034401,Wijk 01 West,Utrecht,Wijk,WK034401,1,29710,1.8,.",
    "BU03440101,03440101,Oog in Al,Utrecht,Buurt,BU03440101,1,4155,2.7,-99995",
]


def write(tmp_path: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_synthetic_kwb_missing_markers_and_audit(tmp_path: Path) -> None:
    rows = [
        "NL00,0000,Nederland,Nederland,Land,NL00,1,17942942,2.1,57",  # the country: skipped
        *KWB_ROWS,
        "BU03440102,03440102,Lege buurt,Utrecht,Buurt,BU03440102,1,,.,-99997",
    ]
    run_import(write(tmp_path, "kwb-2023.csv", [KWB_HEADER, *rows]))
    assert level_counts() == {"GM": 1, "WK": 1, "BU": 2}
    assert value_of("GM0344", "household_size", 2023) == Decimal("1.9")
    assert value_of("WK034401", "owner_occupied", 2023) is None
    assert value_of("BU03440101", "owner_occupied", 2023) is None
    assert not IndicatorValue.objects.filter(area__code="BU03440102").exists()
    event = AuditEvent.objects.get(action="areas.import_cbs")
    assert event.origin == "cli" and event.actor is None
    assert event.detail["year"] == 2023 and event.detail["values_written"] == 7
    assert event.detail["skipped_rows"] == 1


def test_year_option_overrides_file_name(tmp_path: Path) -> None:
    run_import(write(tmp_path, "kwb-2023.csv", [KWB_HEADER, *KWB_ROWS]), "--year", "2021")
    assert value_of("GM0344", "inhabitants", 2021) == 374238
    assert not IndicatorValue.objects.filter(year=2023).exists()


def test_semicolons_decimal_commas_padding_and_cp1252(tmp_path: Path) -> None:
    lines = [
        "Codering_3;SoortRegio_2;Gemeentecode;Wijkcode;Buurtnaam;Gemeentenaam_1;"
        "AantalInwoners_5;GemiddeldeHuishoudensgrootte_33;Koopwoningen_40",
        "GM0034    ;Gemeente  ;GM0034;;;Almere  ;216.012,0;2,4;52",
        "WK003418  ;Wijk      ;GM0034;WK003418;;Almere;1250;2,1;.",
        "BU00341807;Buurt     ;GM0034;WK003418;Lumièrepark;Almere;  1.465,5 ;2,50;",
    ]
    run_import(write(tmp_path, "kwb2024_lumiere.csv", lines, encoding="cp1252"))
    assert level_counts() == {"GM": 1, "WK": 1, "BU": 1}
    assert Area.objects.get(code="BU00341807").name == "Lumièrepark"
    assert Area.objects.get(code="GM0034").name == "Almere"
    assert value_of("GM0034", "inhabitants") == Decimal("216012")
    assert value_of("BU00341807", "inhabitants") == Decimal("1465.5")
    assert value_of("BU00341807", "household_size") == Decimal("2.5")
    assert value_of("WK003418", "owner_occupied") is None


def test_odata_json_with_group_prefixes(tmp_path: Path) -> None:
    records = [
        {
            "WijkenEnBuurten": "GM0014    ",
            "Gemeentenaam_1": "Groningen                ",
            "SoortRegio_2": "Gemeente  ",
            "WijkenEnBuurten/Codering_3": "GM0014    ",
            "AantalInwoners_5": 243768,
            "Bevolkingsdichtheid_34": None,
        },
        {
            "WijkenEnBuurten": "WK001400  ",
            "Gemeentenaam_1": "Groningen",
            "SoortRegio_2": "Wijk      ",
            "WijkenEnBuurten/Codering_3": "WK001400  ",
            "AantalInwoners_5": 24330,
            "Bevolkingsdichtheid_34": 11521.5,
        },
    ]
    path = tmp_path / "85984NED_2024.json"
    path.write_text(json.dumps({"value": records}), encoding="utf-8")
    run_import(path)
    assert Area.objects.get(code="GM0014").name == "Groningen"
    assert Area.objects.get(code="WK001400").name == "WK001400"
    assert value_of("WK001400", "density") == Decimal("11521.5")
    assert value_of("GM0014", "density") is None


def assert_fails(path: Path, *fragments: str, args: tuple[str, ...] = ()) -> str:
    before = snapshot()
    with pytest.raises(CommandError) as info:
        run_import(path, *args)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message
    assert snapshot() == before
    return message


@pytest.fixture
def existing(tmp_path: Path) -> None:
    """Something in the database already, so 'unchanged' means something."""
    run_import(write(tmp_path, "start-kwb-2024.csv", [KWB_HEADER, *KWB_ROWS[:2]]))


def test_text_in_a_number_column_names_file_row_and_column(tmp_path: Path, existing: None) -> None:
    rows = [*KWB_ROWS, "BU03440102,03440102,Nieuw,Utrecht,Buurt,BU03440102,1,abc,2,3"]
    path = write(tmp_path, "kwb-2024.csv", [KWB_HEADER, *rows])
    message = assert_fails(path, "kwb-2024.csv, rij 5, kolom a_inw", '"abc" is geen getal')
    assert "niets ingelezen" in message
    assert not Area.objects.filter(code="BU03440101").exists()


def test_short_row_is_an_error_not_missing_values(tmp_path: Path, existing: None) -> None:
    rows = [*KWB_ROWS, "BU03440102,03440102,Kort,Utrecht,Buurt,BU03440102,1,10"]
    path = write(tmp_path, "kwb-2024.csv", [KWB_HEADER, *rows])
    assert_fails(path, "rij 5, kolom", "8 cellen", "kopregel 10")


def test_long_row_is_an_error(tmp_path: Path, existing: None) -> None:
    rows = [*KWB_ROWS, "BU03440102,03440102,Lang,Utrecht,Buurt,BU03440102,1,10,2,3,99"]
    path = write(tmp_path, "kwb-2024.csv", [KWB_HEADER, *rows])
    assert_fails(path, "rij 5, kolom 11", "meer cellen (11)")


def test_bad_code_names_row_and_column(tmp_path: Path, existing: None) -> None:
    rows = [*KWB_ROWS, "BU0344010,0344010,Kort,Utrecht,Buurt,BU0344010,1,10,2,3"]
    path = write(tmp_path, "kwb-2024.csv", [KWB_HEADER, *rows])
    assert_fails(path, "rij 5, kolom gwb_code_10", "BU0344010")


def test_level_column_must_match_the_code(tmp_path: Path, existing: None) -> None:
    rows = [*KWB_ROWS, "BU03440102,03440102,X,Utrecht,Wijk,BU03440102,1,10,2,3"]
    assert_fails(write(tmp_path, "kwb-2024.csv", [KWB_HEADER, *rows]), "rij 5, kolom recs")


def test_overlong_name(tmp_path: Path, existing: None) -> None:
    rows = [*KWB_ROWS, "BU03440102,03440102," + "x" * 201 + ",Utrecht,Buurt,BU03440102,1,10,2,3"]
    assert_fails(write(tmp_path, "kwb-2024.csv", [KWB_HEADER, *rows]), "rij 5, kolom regio")


def test_duplicate_code_is_an_error(tmp_path: Path, existing: None) -> None:
    rows = [*KWB_ROWS, KWB_ROWS[2]]
    assert_fails(write(tmp_path, "kwb-2024.csv", [KWB_HEADER, *rows]), "rij 5", "rij 4")


def test_parent_code_column_must_match(tmp_path: Path, existing: None) -> None:
    lines = [
        "Codering,Buurtnaam,Wijkcode,Gemeentecode,AantalInwoners_5",
        "BU03440101,Oog in Al,WK034402,GM0344,4155",
    ]
    assert_fails(write(tmp_path, "kwb2024.csv", lines), "rij 2, kolom Wijkcode", "WK034401")


def test_missing_code_column(tmp_path: Path, existing: None) -> None:
    header = KWB_HEADER.replace("gwb_code_10,", "").replace(",gwb_code,", ",")
    rows = [",".join(r.split(",")[1:5] + r.split(",")[6:]) for r in KWB_ROWS]
    assert_fails(write(tmp_path, "kwb-2024.csv", [header, *rows]), "gwb_code_10", "ontbreekt")


def test_unknown_layout(tmp_path: Path, existing: None) -> None:
    path = write(tmp_path, "kwb-2024.csv", ["naam,leeftijd", "Piet,42"])
    assert_fails(path, "onbekende indeling", "naam")


def test_no_year(tmp_path: Path, existing: None) -> None:
    path = write(tmp_path, "cijfers.csv", [KWB_HEADER, *KWB_ROWS])
    assert_fails(path, "cijfers.csv", "--year")


def test_unsupported_file_type(tmp_path: Path, existing: None) -> None:
    path = tmp_path / "kwb-2024.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    assert_fails(path, ".xls")


def test_all_errors_are_listed(tmp_path: Path, existing: None) -> None:
    rows = [
        *KWB_ROWS,
        "BU03440102,03440102,A,Utrecht,Buurt,BU03440102,1,veel,2,3",
        "BU03440103,03440103,B,Utrecht,Buurt,BU03440103,1,10,twee,3",
    ]
    path = write(tmp_path, "kwb-2024.csv", [KWB_HEADER, *rows])
    assert_fails(path, "rij 5, kolom a_inw", "rij 6, kolom g_hhgro")


def test_malformed_xlsx(tmp_path: Path, existing: None) -> None:
    path = tmp_path / "kwb-2024.xlsx"
    path.write_bytes(b"not a zip file")
    assert_fails(path, "kwb-2024.xlsx")


def test_xlsx_error_row_numbers_match_the_sheet(tmp_path: Path, existing: None) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(KWB_HEADER.split(","))
    for row in KWB_ROWS:
        sheet.append(row.split(","))
    sheet.append(["BU03440102", "03440102", "X", "Utrecht", "Buurt", "BU03440102", 1, 5, "2,5x"])
    path = tmp_path / "kwb-2024.xlsx"
    workbook.save(path)
    assert_fails(path, "rij 5, kolom g_hhgro", "2,5x")


def test_large_file_shows_progress(tmp_path: Path) -> None:
    """A large file reports progress on stderr while it is read and written."""
    from buurtbasis.areas.importers import PROGRESS_EVERY

    rows = [KWB_ROWS[0]]
    for w in range(PROGRESS_EVERY // 100 + 1):
        rows.append(f"WK0344{w:02d},0344{w:02d},Wijk {w},Utrecht,Wijk,WK0344{w:02d},1,1000,2.0,40")
        rows.extend(
            f"BU0344{w:02d}{b:02d},0344{w:02d}{b:02d},Buurt {w}-{b},Utrecht,Buurt,"
            f"BU0344{w:02d}{b:02d},1,{100 + b},2.1,50"
            for b in range(100)
        )
    assert len(rows) > PROGRESS_EVERY
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_cbs", str(write(tmp_path, "kwb-2024.csv", [KWB_HEADER, *rows])),
        stdout=out, stderr=err,
    )  # fmt: skip
    lines = err.getvalue().splitlines()
    read = [line for line in lines if "rijen gelezen" in line]
    assert read and f"{PROGRESS_EVERY} " in read[0], lines
    assert any("cijfers:" in line and "schrijven" in line for line in lines)
    districts = PROGRESS_EVERY // 100 + 1
    assert level_counts() == {"GM": 1, "WK": districts, "BU": 100 * districts}
    assert f"{len(rows)} rijen" in out.getvalue()
