"""``manage.py import_boundaries``: CBS wijkenkaart (RD and WGS84) and Amsterdam's own
neighbourhood file (skipped when ../shared/data is absent), plus synthetic bad files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from buurtbasis.areas import services
from buurtbasis.areas.models import Area
from buurtbasis.core.models import AuditEvent
from tests.conftest import shared_file

pytestmark = pytest.mark.django_db


def run(command: str, path: Path, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def positions(geometry: dict[str, Any]) -> list[list[float]]:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return [p for polygon in polygons for ring in polygon for p in ring]


def haarlem_districts() -> None:
    """The districts of the Haarlem file, from the real CBS file of municipalities/districts."""
    run("import_cbs", shared_file("cbs", "kwb2024_gemeenten_wijken_kerncijfers.csv"))


def test_rd_file_is_reprojected_to_the_published_wgs84_coordinates() -> None:
    rd = shared_file("boundaries", "wijken_haarlem_haarlemmermeer_2024_rd28992.geojson")
    wgs = shared_file("boundaries", "wijken_haarlem_haarlemmermeer_2024_wgs84.geojson")
    haarlem_districts()
    output = run("import_boundaries", rd)
    assert "EPSG:28992" in output
    published = json.loads(wgs.read_text())["features"]
    assert len(published) == 39
    for feature in published:
        area = Area.objects.get(code=feature["properties"]["wijkcode"])
        assert area.boundary is not None
        ours, theirs = positions(area.boundary), positions(feature["geometry"])
        assert len(ours) == len(theirs)
        worst = max(
            max(abs(a[0] - b[0]), abs(a[1] - b[1])) for a, b in zip(ours, theirs, strict=True)
        )
        assert worst < 1e-5, (area.code, worst)
        assert all(len(str(c).split(".")[-1]) <= 6 for p in ours[:50] for c in p)
    event = AuditEvent.objects.get(action="areas.import_boundaries")
    assert event.origin == "cli" and event.detail["matched"] == {"WK": 39}


def test_metres_without_crs_member_are_taken_as_rd(tmp_path: Path) -> None:
    rd = shared_file("boundaries", "wijken_haarlem_haarlemmermeer_2024_rd28992.geojson")
    wgs = shared_file("boundaries", "wijken_haarlem_haarlemmermeer_2024_wgs84.geojson")
    data = json.loads(rd.read_text())
    del data["crs"]
    stripped = tmp_path / "zonder_crs.geojson"
    stripped.write_text(json.dumps(data))
    haarlem_districts()
    run("import_boundaries", stripped)
    first = json.loads(wgs.read_text())["features"][0]
    area = Area.objects.get(code=first["properties"]["wijkcode"])
    assert area.boundary is not None
    a, b = positions(area.boundary)[0], positions(first["geometry"])[0]
    assert abs(a[0] - b[0]) < 1e-5 and abs(a[1] - b[1]) < 1e-5


def test_dry_run_changes_nothing() -> None:
    wgs = shared_file("boundaries", "wijken_haarlem_haarlemmermeer_2024_wgs84.geojson")
    haarlem_districts()
    output = run("import_boundaries", wgs, "--dry-run")
    assert "39" in output and "Proefrun" in output
    assert not Area.objects.filter(boundary__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="areas.import_boundaries").exists()


def test_amsterdam_neighbourhoods_match_by_cbs_code() -> None:
    names = shared_file("cbs", "cbs_buurt_namen_85984.csv")
    path = shared_file("boundaries", "amsterdam_buurten.geojson")
    run("import_cbs", names)
    with names.open(encoding="utf-8-sig", newline="") as handle:
        known = {row["Identifier"].strip() for row in csv.DictReader(handle)}
    codes = {f["properties"]["CBS_Buurtcode"] for f in json.loads(path.read_text())["features"]}
    expected_matched = codes & known
    expected_unmatched = sorted(codes - known)
    assert expected_matched  # the two files overlap

    output = run("import_boundaries", path)

    with_boundary = set(Area.objects.filter(boundary__isnull=False).values_list("code", flat=True))
    assert with_boundary == expected_matched
    assert f"gekoppeld: {len(expected_matched)} " in output
    assert f"niet gekoppeld: {len(expected_unmatched)}" in output
    for code in expected_unmatched[:20]:
        assert code in output
    area = Area.objects.get(code=sorted(expected_matched)[0])
    assert area.boundary is not None and area.boundary["type"] in {"Polygon", "MultiPolygon"}
    lon, lat = positions(area.boundary)[0]
    assert 4.7 < lon < 5.1 and 52.2 < lat < 52.5


def test_municipal_areas_without_cbs_codes_are_refused() -> None:
    path = shared_file("boundaries", "amsterdam_gebieden.geojson")
    with pytest.raises(CommandError, match="geen enkele feature heeft een CBS-code"):
        run("import_boundaries", path)


# --- synthetic files -----------------------------------------------------------------------

SQUARE = [[[5.1, 52.09], [5.11, 52.09], [5.11, 52.1], [5.1, 52.1], [5.1, 52.09]]]


def feature(code: str, geometry: Any = None, key: str = "buurtcode") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {key: code, "gemeentecode": "GM0344"},
        "geometry": geometry
        if geometry is not None
        else {"type": "Polygon", "coordinates": SQUARE},
    }


def write(tmp_path: Path, features: list[Any], name: str = "grenzen.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture
def utrecht() -> dict[str, Area]:
    gm = services.upsert_area("GM0344", "Utrecht")
    wk = services.upsert_area("WK034401", "West", parent=gm)
    bu = services.upsert_area("BU03440101", "Oog in Al", parent=wk)
    return {"gm": gm, "wk": wk, "bu": bu}


def test_most_specific_code_wins_and_coordinates_are_rounded(
    tmp_path: Path, utrecht: dict[str, Area]
) -> None:
    precise = [[[5.12345678, 52.0], [5.2, 52.0], [5.2, 52.1], [5.12345678, 52.0]]]
    features = [
        feature("BU03440101", {"type": "Polygon", "coordinates": precise}),
        feature("2024WK034401", key="jrstatcode"),
        feature("BU09990101"),
    ]
    output = run("import_boundaries", write(tmp_path, features))
    bu = Area.objects.get(code="BU03440101")
    assert bu.boundary == {
        "type": "Polygon",
        "coordinates": [[[5.123457, 52.0], [5.2, 52.0], [5.2, 52.1], [5.123457, 52.0]]],
    }
    assert Area.objects.get(code="WK034401").boundary is not None
    assert Area.objects.get(code="GM0344").boundary is None
    assert "BU09990101" in output and "niet gekoppeld: 1" in output


def test_two_features_for_one_code_become_a_multipolygon(
    tmp_path: Path, utrecht: dict[str, Area]
) -> None:
    run("import_boundaries", write(tmp_path, [feature("BU03440101"), feature("BU03440101")]))
    boundary = Area.objects.get(code="BU03440101").boundary
    assert boundary is not None and boundary["type"] == "MultiPolygon"
    assert len(boundary["coordinates"]) == 2


def assert_refused(path: Path, *fragments: str) -> None:
    before = list(Area.objects.values_list("code", "boundary"))
    with pytest.raises(CommandError) as info:
        run("import_boundaries", path)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert list(Area.objects.values_list("code", "boundary")) == before


def test_invalid_json(tmp_path: Path, utrecht: dict[str, Area]) -> None:
    path = tmp_path / "kapot.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    assert_refused(path, "kapot.geojson", "geen geldige JSON", "regel 1")


def test_no_features(tmp_path: Path, utrecht: dict[str, Area]) -> None:
    assert_refused(write(tmp_path, [], "leeg.geojson"), "leeg.geojson", "geen features")


def test_not_a_feature_collection(tmp_path: Path, utrecht: dict[str, Area]) -> None:
    path = tmp_path / "lijst.geojson"
    path.write_text("[1, 2, 3]")
    assert_refused(path, "FeatureCollection")


def test_one_broken_geometry_stores_nothing(tmp_path: Path, utrecht: dict[str, Area]) -> None:
    broken = {
        "type": "Polygon",
        "coordinates": [[[5.1, "noord"], [5.2, 52], [5.2, 52.1], [5.1, "noord"]]],
    }
    features = [feature("WK034401"), feature("BU03440101", broken)]
    assert_refused(write(tmp_path, features), "feature 2", "BU03440101")
    point = {"type": "Point", "coordinates": [5.1, 52.1]}
    assert_refused(write(tmp_path, [feature("WK034401"), feature("BU03440101", point)]), "Point")


def test_code_property_option(tmp_path: Path, utrecht: dict[str, Area]) -> None:
    item = feature("BU03440101")
    item["properties"]["andere"] = "WK034401"
    path = write(tmp_path, [item])
    run("import_boundaries", path, "--property", "andere")
    assert Area.objects.get(code="WK034401").boundary is not None
    assert Area.objects.get(code="BU03440101").boundary is None
