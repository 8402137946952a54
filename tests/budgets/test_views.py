"""The budget pages through HTTP: status codes per role, content, forms and bad input."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buurtbasis.accounts.models import User
from buurtbasis.budgets import services
from buurtbasis.budgets.models import (
    BudgetFramework,
    BudgetLine,
    Commitment,
    DrawingRight,
    HoursDelivery,
    ResidentGroup,
    SourceAmount,
)
from buurtbasis.ledger.models import Transaction

from .conftest import YEARS, People, Town, fill_sources


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def _line(framework: BudgetFramework, year: int = YEARS[0], theme: str | None = None) -> BudgetLine:
    qs = BudgetLine.objects.filter(
        district_budget__framework=framework,
        district_budget__year=year,
        district_budget__district__code="WK999901",
    )
    return qs.get(theme__name=theme) if theme else qs.get(is_support=True)


def assert_no_inline_styles(html: str) -> None:
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute found"
    assert "<style" not in html


# --- Frameworks -----------------------------------------------------------------------------


def test_framework_list_shows_adopted_to_everyone_and_drafts_to_officials(
    adopted: BudgetFramework, town: Town, people: People
) -> None:
    other = services.create_framework(
        town.municipality,
        actor=people.official,
        name="Concept 2030",
        start_year=2030,
        end_year=2031,
    )
    url = reverse("budgets:framework_list")
    public = _text(_client().get(url))
    assert adopted.name in public and other.name not in public
    official = _text(_client(people.official).get(url))
    assert adopted.name in official and other.name in official
    assert "Nieuw budgetkader maken" in official
    assert_no_inline_styles(public)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 404),
        ("resident", 404),
        ("council", 404),
        ("other_official", 404),
        ("official", 200),
        ("admin", 200),
    ],
)
def test_a_draft_is_visible_only_to_officials(
    draft: BudgetFramework, people: People, role: str | None, status: int
) -> None:
    user = getattr(people, role) if role else None
    assert _client(user).get(draft.get_absolute_url()).status_code == status
    assert (
        _client(user).get(reverse("budgets:framework_preview", args=[draft.pk])).status_code
        == status
    )


def test_an_official_creates_a_framework(town: Town, people: People) -> None:
    client = _client(people.official)
    url = reverse("budgets:framework_create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "municipality": town.municipality.pk,
            "name": "Wijkbudgetten 2027–2030",
            "start_year": 2027,
            "end_year": 2030,
            "support_share_bp": "30",
            "min_support_share_bp": "25",
            "base_amount_per_1000_cents": "25.000,00",
            "hours_rule": "carry_over",
            "statistics_year": "",
        },
    )
    framework = BudgetFramework.objects.get(name="Wijkbudgetten 2027–2030")
    assert response.status_code == 302
    assert response["Location"] == reverse("budgets:framework_sources", args=[framework.pk])
    assert framework.support_share_bp == 3000
    assert framework.base_amount_per_1000_cents == 2_500_000
    assert framework.created_by == people.official


@pytest.mark.parametrize("role", ["resident", "council", "professional"])
def test_others_cannot_create(people: People, role: str) -> None:
    assert (
        _client(getattr(people, role)).get(reverse("budgets:framework_create")).status_code == 403
    )


def test_anonymous_is_sent_to_log_in(town: Town) -> None:
    response = _client().get(reverse("budgets:framework_create"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_creating_with_a_bad_period_shows_an_error(town: Town, people: People) -> None:
    response = _client(people.official).post(
        reverse("budgets:framework_create"),
        {
            "municipality": town.municipality.pk,
            "name": "Fout",
            "start_year": 2030,
            "end_year": 2026,
            "support_share_bp": "25",
            "min_support_share_bp": "25",
            "base_amount_per_1000_cents": "0",
            "hours_rule": "lapse",
        },
    )
    assert response.status_code == 200
    assert "vóór het eerste jaar" in _text(response)
    assert not BudgetFramework.objects.filter(name="Fout").exists()


def test_the_form_refuses_a_minimum_share_below_the_site_floor(town: Town, people: People) -> None:
    client = _client(people.official)
    url = reverse("budgets:framework_create")
    assert "Niet lager dan 25" in _text(client.get(url))
    response = client.post(
        url,
        {
            "municipality": town.municipality.pk,
            "name": "Zonder ondersteuning",
            "start_year": 2030,
            "end_year": 2031,
            "support_share_bp": "0",
            "min_support_share_bp": "0",
            "base_amount_per_1000_cents": "0",
            "hours_rule": "lapse",
        },
    )
    assert response.status_code == 200
    assert "ondergrens" in _text(response)
    assert not BudgetFramework.objects.filter(name="Zonder ondersteuning").exists()


def _sources_post(framework: BudgetFramework, overrides: dict[str, str]) -> dict[str, str]:
    sources = list(framework.sources.all())
    data = {
        "bron-TOTAL_FORMS": str(len(sources)),
        "bron-INITIAL_FORMS": str(len(sources)),
        "bron-MIN_NUM_FORMS": "0",
        "bron-MAX_NUM_FORMS": "1000",
    }
    for i, source in enumerate(sources):
        data[f"bron-{i}-pk"] = str(source.pk)
        data[f"bron-{i}-name"] = source.name
        data[f"bron-{i}-kind"] = source.kind
        for amount in source.amounts.all():
            data[f"bron-{i}-amount_{amount.year}"] = str(amount.amount_cents // 100)
    data.update(overrides)
    return data


def test_sources_are_edited_with_dutch_amounts(draft: BudgetFramework, people: People) -> None:
    client = _client(people.official)
    url = reverse("budgets:framework_sources", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Wmo" in _text(page)
    response = client.post(url, _sources_post(draft, {f"bron-0-amount_{YEARS[0]}": "1.234.567,89"}))
    assert response.status_code == 302
    first = draft.sources.first()
    assert first is not None
    assert first.amounts.get(year=YEARS[0]).amount_cents == 123_456_789


@pytest.mark.parametrize("bad", ["-5", "12,345", "twaalf"])
def test_bad_amounts_change_nothing(draft: BudgetFramework, people: People, bad: str) -> None:
    before = list(SourceAmount.objects.filter(source__framework=draft).values())
    response = _client(people.official).post(
        reverse("budgets:framework_sources", args=[draft.pk]),
        _sources_post(draft, {f"bron-0-amount_{YEARS[0]}": bad}),
    )
    assert response.status_code == 200
    assert 'class="errorlist' in _text(response)
    assert list(SourceAmount.objects.filter(source__framework=draft).values()) == before


def test_themes_and_weights_pages(draft: BudgetFramework, people: People) -> None:
    client = _client(people.official)
    themes = list(draft.themes.all())
    data = {
        "thema-TOTAL_FORMS": str(len(themes)),
        "thema-INITIAL_FORMS": str(len(themes)),
        "thema-MIN_NUM_FORMS": "0",
        "thema-MAX_NUM_FORMS": "1000",
    }
    for i, theme in enumerate(themes):
        data.update(
            {
                f"thema-{i}-pk": str(theme.pk),
                f"thema-{i}-name": theme.name,
                f"thema-{i}-share_bp": "15",
            }
        )
    data["thema-0-share_bp"] = "12,5"
    url = reverse("budgets:framework_themes", args=[draft.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302
    assert draft.themes.get(pk=themes[0].pk).share_bp == 1250

    url = reverse("budgets:framework_weights", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="30"' in _text(page)  # low-income households, default 30 %
    response = client.post(url, {"low_income_households": "40", "age_65_plus": "0"})
    assert response.status_code == 302
    keys = {w.indicator.key: w.weight_bp for w in draft.weights.select_related("indicator")}
    assert keys["low_income_households"] == 4000 and "age_65_plus" not in keys


def test_preview_page_shows_every_district_in_euros(draft: BudgetFramework, people: People) -> None:
    html = _text(
        _client(people.official).get(reverse("budgets:framework_preview", args=[draft.pk]))
    )
    for name in ("Centrum", "Noord", "Zuid"):
        assert name in html
    total = sum(services.source_totals(draft).values()) // len(YEARS)
    euros = f"{total // 100:,}".replace(",", ".") + f",{total % 100:02d}"
    assert f"€\u00a0{euros}" in html
    assert_no_inline_styles(html)


def test_adopting_through_the_page(draft: BudgetFramework, people: People) -> None:
    client = _client(people.official)
    url = reverse("budgets:framework_adopt", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Vaststellen" in _text(page)
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 400
    draft.refresh_from_db()
    assert draft.is_draft
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    draft.refresh_from_db()
    assert draft.is_adopted
    # Editing is no longer possible, and the page says why.
    refused = client.get(reverse("budgets:framework_sources", args=[draft.pk]), follow=True)
    assert refused.redirect_chain[-1][0] == draft.get_absolute_url()
    assert "al vastgesteld" in _text(refused)


def test_adopting_lines_exceeding_sources_shows_the_reason(
    draft: BudgetFramework, people: People
) -> None:
    services.update_framework(draft, actor=people.official, support_share_bp=5000)
    response = _client(people.official).post(
        reverse("budgets:framework_adopt", args=[draft.pk]), {"confirm": "yes"}
    )
    assert response.status_code == 400
    assert "meer dan de bronnen" in _text(response)
    draft.refresh_from_db()
    assert draft.is_draft
    assert not Transaction.objects.exists()


@pytest.mark.parametrize("role", ["council", "resident", "professional", "other_official"])
def test_others_cannot_adopt_through_the_page(
    draft: BudgetFramework, people: People, role: str
) -> None:
    response = _client(getattr(people, role)).post(
        reverse("budgets:framework_adopt", args=[draft.pk]), {"confirm": "yes"}
    )
    assert response.status_code in (403, 404)
    draft.refresh_from_db()
    assert draft.is_draft


# --- Residents ------------------------------------------------------------------------------


def test_district_budget_page_for_residents(adopted: BudgetFramework, people: People) -> None:
    line = _line(adopted)
    services.create_commitment(line, people.welfare, 123_456, actor=people.official)
    url = reverse("budgets:district_budget", args=["wk999901"]) + f"?jaar={YEARS[0]}"
    response = _client().get(url)
    assert response.status_code == 200
    html = _text(response)
    assert "Wijkbudget Centrum" in html
    assert "Ondersteuning van bewonersorganisaties" in html
    assert "Leefbaarheid" in html
    assert "€\u00a01.234,56" in html  # committed
    assert reverse("budgets:open_data_file", args=["lines", "csv"]) + "?wijk=WK999901" in html
    assert_no_inline_styles(html)


def test_district_without_budget(town: Town) -> None:
    response = _client().get(reverse("budgets:district_budget", args=["WK999801"]))
    assert response.status_code == 200
    assert "nog geen wijkbudget" in _text(response)
    assert _client().get(reverse("budgets:district_budget", args=["WK000000"])).status_code == 404


def test_district_page_queries_do_not_grow_with_lines(
    adopted: BudgetFramework, people: People, group: ResidentGroup
) -> None:
    url = reverse("budgets:district_budget", args=["WK999901"]) + f"?jaar={YEARS[0]}"
    client = _client()
    services.create_commitment(_line(adopted), people.welfare, 1000, actor=people.official)
    services.grant_drawing_right(
        _line(adopted, theme="Leefbaarheid"),
        group,
        provider=people.welfare,
        minutes=60,
        actor=people.official,
    )
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for theme in ("Leefbaarheid", "Duurzaamheid", "Delen & herverdelen"):
        services.create_commitment(
            _line(adopted, theme=theme), people.welfare, 1000, actor=people.official
        )
        services.create_commitment(
            _line(adopted, theme=theme), people.housing, 1000, actor=people.official
        )
        services.grant_drawing_right(
            _line(adopted, theme=theme),
            group,
            provider=people.welfare,
            minutes=60,
            actor=people.official,
        )
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_money_flow_page_with_scenario(adopted: BudgetFramework) -> None:
    url = reverse("budgets:money_flow", args=["WK999901"])
    html = _text(_client().get(url + "?procent=10"))
    assert "Wat als 10\u00a0% naar het wijkbudget gaat?" in html or "Wat als 10 % naar" in html
    assert html.count('role="img"') == 4
    assert "<title" in html and "<desc" in html and "aria-label=" in html
    assert "Wmo" in html and "Leefbaarheid" in html
    assert_no_inline_styles(html)
    # The scenario adds 10 % of the other public money: check the first year's figure.
    from buurtbasis.budgets.selectors import money_flow

    flow = money_flow(adopted.district_budgets.first().district, 1000)  # type: ignore[union-attr]
    first, scenario, difference = flow.rows[0]
    assert difference == (first.elsewhere * 1000 + 5000) // 10_000
    euros = f"{scenario // 100:,}".replace(",", ".") + f",{scenario % 100:02d}"
    assert euros in html
    # htmx gets only the scenario section.
    partial = _text(_client().get(url + "?procent=5", HTTP_HX_REQUEST="true"))
    assert partial.lstrip().startswith('<section id="scenario"')
    # Nonsense falls back to 5 %.
    assert _client().get(url + "?procent=abc").status_code == 200


# --- Lines, commitments, drawing rights -----------------------------------------------------


def test_line_page_forms_for_officials_only(adopted: BudgetFramework, people: People) -> None:
    url = _line(adopted).get_absolute_url()
    public = _text(_client(people.resident).get(url))
    assert "Nieuwe toezegging" not in public
    official = _text(_client(people.official).get(url))
    assert "Nieuwe toezegging" in official and "Nieuw trekkingsrecht" in official


def test_commitment_through_the_page_and_overspending(
    adopted: BudgetFramework, people: People
) -> None:
    line = _line(adopted)
    client = _client(people.official)
    url = reverse("budgets:commitment_create", args=[line.pk])
    ok = client.post(
        url,
        {
            "toezegging-organisation": people.welfare.pk,
            "toezegging-amount_cents": "1.000,00",
            "toezegging-description": "Coördinator",
        },
    )
    assert ok.status_code == 302
    assert Commitment.objects.get().amount_cents == 100_000
    too_much = client.post(
        url,
        {"toezegging-organisation": people.housing.pk, "toezegging-amount_cents": "999.999.999,00"},
    )
    assert too_much.status_code == 400
    assert "niet genoeg geld" in _text(too_much)
    assert Commitment.objects.count() == 1
    zero = client.post(
        url, {"toezegging-organisation": people.housing.pk, "toezegging-amount_cents": "0"}
    )
    assert zero.status_code == 400
    assert Commitment.objects.count() == 1
    assert (
        _client(people.resident)
        .post(url, {"toezegging-organisation": people.housing.pk, "toezegging-amount_cents": "1"})
        .status_code
        == 403
    )


def test_ending_a_commitment_through_the_page(adopted: BudgetFramework, people: People) -> None:
    commitment = services.create_commitment(
        _line(adopted), people.welfare, 100, actor=people.official
    )
    url = reverse("budgets:commitment_end", args=[commitment.pk])
    client = _client(people.official)
    page = client.get(url)
    assert page.status_code == 200
    assert "De opzegtermijn is 3 maanden" in _text(page)
    earliest = services.earliest_last_year(commitment, datetime.date.today())
    if earliest - 1 >= commitment.start_year:
        refused = client.post(url, {"last_year": str(earliest - 1)})
        assert refused.status_code == 400 and "opzegtermijn" in _text(refused)
        commitment.refresh_from_db()
        assert commitment.notice_given_at is None
    response = client.post(url, {"last_year": str(earliest)})
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.notice_given_at is not None


def test_group_and_drawing_right_through_the_page(adopted: BudgetFramework, people: People) -> None:
    line = _line(adopted, theme="Leefbaarheid")
    client = _client(people.official)
    response = client.post(
        reverse("budgets:group_create", args=[line.pk]),
        {"groep-name": "Speeltuinvereniging", "groep-contact_email": people.contact.email},
    )
    assert response.status_code == 302
    group = ResidentGroup.objects.get(name="Speeltuinvereniging")
    response = client.post(
        reverse("budgets:drawing_right_create", args=[line.pk]),
        {
            "recht-group": group.pk,
            "recht-provider_email": people.freelancer.email,
            "recht-minutes": "12:30",
        },
    )
    assert response.status_code == 302
    right = DrawingRight.objects.get()
    assert right.minutes_granted == 750 and right.provider_user == people.freelancer
    both = client.post(
        reverse("budgets:drawing_right_create", args=[line.pk]),
        {
            "recht-group": group.pk,
            "recht-provider_email": people.freelancer.email,
            "recht-provider_organisation": people.welfare.pk,
            "recht-minutes": "1",
        },
    )
    assert both.status_code == 400 and DrawingRight.objects.count() == 1


@pytest.fixture
def current_right(town: Town, people: People, group: ResidentGroup) -> DrawingRight:
    today = datetime.date.today()
    framework = services.create_framework(
        town.municipality,
        actor=people.official,
        name="Dit jaar",
        start_year=today.year,
        end_year=today.year,
    )
    fill_sources(framework, people.official)
    services.adopt(framework, people.official)
    return services.grant_drawing_right(
        _line(framework, today.year, "Leefbaarheid"),
        group,
        provider=people.welfare,
        minutes=300,
        actor=people.official,
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("professional", 200),
        ("contact", 200),
        ("member", 200),
        ("official", 200),
        ("resident", 404),
        ("outsider", 404),
    ],
)
def test_drawing_right_page_visibility(
    current_right: DrawingRight, people: People, role: str, status: int
) -> None:
    response = _client(getattr(people, role)).get(current_right.get_absolute_url())
    assert response.status_code == status


def test_provider_records_and_group_confirms(current_right: DrawingRight, people: People) -> None:
    provider = _client(people.professional)
    page = _text(provider.get(current_right.get_absolute_url()))
    assert "Geleverde uren vastleggen" in page and "Bevestigen" not in page
    response = provider.post(
        current_right.get_absolute_url(),
        {
            "uren-minutes": "1:30",
            "uren-date": datetime.date.today().isoformat(),
            "uren-description": "Hulp bij de aanvraag",
        },
    )
    assert response.status_code == 302
    delivery = HoursDelivery.objects.get()
    assert delivery.minutes == 90
    too_much = provider.post(
        current_right.get_absolute_url(),
        {
            "uren-minutes": "10:00",
            "uren-date": datetime.date.today().isoformat(),
            "uren-description": "Te veel",
        },
    )
    assert too_much.status_code == 400 and "past daar niet in" in _text(too_much)

    group = _client(people.contact)
    assert "Bevestigen" in _text(group.get(current_right.get_absolute_url()))
    assert (
        _client(people.professional)
        .post(reverse("budgets:delivery_confirm", args=[delivery.pk]))
        .status_code
        == 403
    )
    response = group.post(reverse("budgets:delivery_confirm", args=[delivery.pk]))
    assert response.status_code == 303
    delivery.refresh_from_db()
    assert delivery.status == HoursDelivery.Status.CONFIRMED
    # Confirming again: a clear message, nothing posted twice.
    again = group.post(reverse("budgets:delivery_confirm", args=[delivery.pk]), follow=True)
    assert "niet (meer) vastgelegd" in _text(again)
    assert Transaction.objects.filter(kind="budgets.hours_use").count() == 1
    listing = _text(group.get(reverse("budgets:drawing_right_list")))
    assert "1:30 uur" in listing


def test_group_disputes_hours(current_right: DrawingRight, people: People) -> None:
    delivery = services.record_hours(
        current_right,
        minutes=60,
        date=datetime.date.today(),
        description="x",
        actor=people.professional,
    )
    response = _client(people.member).post(
        reverse("budgets:delivery_dispute", args=[delivery.pk]), {"bezwaar-reason": "Niet gezien"}
    )
    assert response.status_code == 303
    delivery.refresh_from_db()
    assert delivery.status == HoursDelivery.Status.DISPUTED
    assert delivery.dispute_reason == "Niet gezien"


def test_a_resident_finds_their_district(adopted: BudgetFramework, people: People) -> None:
    html = _text(_client(people.resident).get(reverse("budgets:framework_list")))
    assert reverse("budgets:district_budget", args=["WK999901"]) in html
    assert "Naar het wijkbudget van Centrum" in html


def test_only_ended_years_can_be_closed_on_the_page(
    current_right: DrawingRight, people: People
) -> None:
    framework = current_right.line.district_budget.framework
    client = _client(people.official)
    page = _text(client.get(framework.get_absolute_url()))
    assert "Geen van de jaren van dit kader is al voorbij" in page
    assert reverse("budgets:framework_close_year", args=[framework.pk]) not in page
    response = client.post(
        reverse("budgets:framework_close_year", args=[framework.pk]),
        {"close-year": str(framework.start_year)},
        follow=True,
    )
    assert "Kies een jaar van het budgetkader" in _text(response)
    current_right.refresh_from_db()
    assert current_right.closed_at is None
    assert not Transaction.objects.filter(kind="budgets.hours_lapse").exists()


def test_the_close_form_offers_ended_years_only(town: Town, people: People) -> None:
    today = datetime.date.today()
    framework = services.create_framework(
        town.municipality,
        actor=people.official,
        name="Over de jaarwisseling",
        start_year=today.year - 1,
        end_year=today.year,
    )
    fill_sources(framework, people.official)
    services.adopt(framework, people.official)
    page = _text(_client(people.official).get(framework.get_absolute_url()))
    closing = page[page.index(reverse("budgets:framework_close_year", args=[framework.pk])) :]
    options = re.findall(r'<option value="(\d+)"', closing[: closing.index("</form>")])
    assert options == [str(today.year - 1)]


def test_renewing_on_the_page_names_what_could_not_renew(
    adopted: BudgetFramework, people: People
) -> None:
    from buurtbasis.ledger import services as ledger

    first = _line(adopted)
    services.create_commitment(first, people.welfare, 1000, actor=people.official)
    big = services.create_commitment(first, people.housing, 2000, actor=people.official)
    later = _line(adopted, YEARS[1])
    assert later.account is not None
    ledger.transfer(
        later.account,
        ledger.get_or_create_account(people.housing, "test-spending", "EUR"),
        ledger.balance(later.account) - 2500,
        kind="test.spending",
        description="Andere uitgave",
        actor=people.official,
        idempotency_key="test:spend",
    )
    response = _client(people.official).post(
        reverse("budgets:framework_renew", args=[adopted.pk]),
        {"renew-year": str(YEARS[1])},
        follow=True,
    )
    page = _text(response)
    assert "1 toezeggingen verlengd voor" in page
    assert f"Niet verlengd: toezegging {big.pk} aan Woonstichting Testdorp" in page
    assert "niet genoeg geld" in page
