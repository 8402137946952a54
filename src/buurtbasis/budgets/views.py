"""Pages for neighbourhood budgets. Thin: read through :mod:`.selectors`, change through
:mod:`.services`, permissions from :mod:`.rules`. Every page works without JavaScript."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from buurtbasis.areas.models import Area, Level

from . import charts, selectors, services
from .forms import (
    CommitmentEndForm,
    CommitmentForm,
    DisputeForm,
    DrawingRightForm,
    FrameworkCreateForm,
    FrameworkForm,
    GroupForm,
    RecordHoursForm,
    SourceFormSet,
    ThemeFormSet,
    WeightsForm,
    YearForm,
)
from .models import (
    BudgetFramework,
    BudgetLine,
    Commitment,
    DistrictBudget,
    DrawingRight,
    HoursDelivery,
)
from .templatetags.budgets_tags import euro_whole

SCENARIO_CHOICES = (0, 1, 2, 5, 10, 20)


# --- Helpers ------------------------------------------------------------------------------------


def _deny(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(_("U mag deze pagina niet gebruiken."))


def _form_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _framework(request: HttpRequest, pk: int) -> BudgetFramework:
    framework = get_object_or_404(BudgetFramework.objects.select_related("municipality"), pk=pk)
    if not request.user.has_perm("budgets.view_framework", framework):
        # A draft is not public: say "not found" rather than "not allowed".
        raise Http404
    return framework


def _refuse_change(request: HttpRequest, framework: BudgetFramework) -> HttpResponse | None:
    """A response when the framework cannot be edited here: adopted (say so), or not allowed."""
    if framework.is_adopted:
        messages.error(
            request, _("Dit budgetkader is al vastgesteld en kan niet meer worden gewijzigd.")
        )
        return redirect(framework)
    if not request.user.has_perm("budgets.change_framework", framework):
        return _deny(request)
    return None


def _district(code: str) -> Area:
    return get_object_or_404(
        Area.objects.select_related("municipality"), code=code.upper(), level=Level.DISTRICT
    )


def _open_data_links(**params: str) -> list[tuple[str, str, str]]:
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    suffix = f"?{query}" if query else ""
    links = []
    for dataset, label in (
        ("budgets", _("Wijkbudgetten")),
        ("lines", _("Budgetregels")),
        ("transactions", _("Boekingen")),
    ):
        for fmt in ("csv", "json"):
            links.append(
                (
                    str(label),
                    fmt.upper(),
                    reverse("budgets:open_data_file", kwargs={"dataset": dataset, "fmt": fmt})
                    + suffix,
                )
            )
    return links


# --- Frameworks ---------------------------------------------------------------------------------


def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = [
        f
        for f in BudgetFramework.objects.select_related("municipality")
        if request.user.has_perm("budgets.view_framework", f)
    ]
    home = getattr(request.user, "home_neighbourhood", None)
    return render(
        request,
        "budgets/framework_list.html",
        {
            "home_district": home.parent if home is not None else None,
            "frameworks": frameworks,
            "can_add": request.user.has_perm("budgets.add_framework"),
            "open_data": _open_data_links(),
        },
    )


@require_http_methods(["GET", "POST"])
def framework_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("budgets.add_framework"):
        return _deny(request)
    user = request.user
    assert user.is_authenticated
    form = FrameworkCreateForm(
        request.POST or None,
        user=user,
        initial={
            "support_share_bp": services.site_min_support_share_bp(),
            "min_support_share_bp": services.site_min_support_share_bp(),
            "base_amount_per_1000_cents": 2_000_000,
            "hours_rule": BudgetFramework.HoursRule.LAPSE,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            framework = services.create_framework(
                data["municipality"],
                actor=user,
                name=data["name"],
                start_year=data["start_year"],
                end_year=data["end_year"],
                min_support_share_bp=data["min_support_share_bp"],
                support_share_bp=data["support_share_bp"],
                base_amount_per_1000_cents=data["base_amount_per_1000_cents"] or 0,
                hours_rule=data["hours_rule"],
                statistics_year=data["statistics_year"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("Het budgetkader is gemaakt. Vul nu de bedragen van de bronnen in.")
            )
            return redirect("budgets:framework_sources", pk=framework.pk)
    return render(request, "budgets/framework_form.html", {"form": form, "framework": None})


def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    sources = list(framework.sources.prefetch_related("amounts"))
    years = framework.years
    source_rows = []
    for source in sources:
        by_year = {a.year: a for a in source.amounts.all()}
        source_rows.append(
            (source, [by_year[y].amount_cents if y in by_year else 0 for y in years])
        )
    totals = services.source_totals(framework)
    themes = list(framework.themes.all())
    context: dict[str, Any] = {
        "framework": framework,
        "years": years,
        "source_rows": source_rows,
        "totals": [totals[y] for y in years],
        "themes": themes,
        "theme_total_bp": sum(t.share_bp for t in themes),
        "weights": list(framework.weights.select_related("indicator")),
        "can_change": request.user.has_perm("budgets.change_framework", framework),
        "can_adopt": framework.is_draft
        and request.user.has_perm("budgets.adopt_framework", framework),
        "is_official": request.user.has_perm("budgets.manage_commitments", framework),
        "open_data": _open_data_links(gemeente=framework.municipality.code),
    }
    if framework.is_adopted:
        context["districts"] = list(
            DistrictBudget.objects.filter(framework=framework, year=years[0])
            .select_related("district")
            .order_by("district__code")
        )
        if context["is_official"]:
            context["renew_form"] = YearForm(years=years, prefix="renew")
            closable = services.ended_years(framework)
            context["close_form"] = (
                YearForm(years=closable, prefix="close", initial={"year": closable[-1]})
                if closable
                else None
            )
    return render(request, "budgets/framework_detail.html", context)


def _settings_initial(framework: BudgetFramework) -> dict[str, Any]:
    return {f: getattr(framework, f) for f in services.FRAMEWORK_SETTINGS}


@require_http_methods(["GET", "POST"])
def framework_edit(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    if (refused := _refuse_change(request, framework)) is not None:
        return refused
    form = FrameworkForm(request.POST or None, initial=_settings_initial(framework))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["base_amount_per_1000_cents"] = data["base_amount_per_1000_cents"] or 0
        try:
            services.update_framework(framework, actor=request.user, **data)  # type: ignore[arg-type]
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("De instellingen zijn opgeslagen."))
            return redirect(framework)
    return render(request, "budgets/framework_form.html", {"form": form, "framework": framework})


EXTRA_ROWS = 2


@require_http_methods(["GET", "POST"])
def framework_sources(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    if (refused := _refuse_change(request, framework)) is not None:
        return refused
    years = framework.years
    initial = []
    for source in framework.sources.prefetch_related("amounts"):
        row: dict[str, Any] = {"pk": source.pk, "name": source.name, "kind": source.kind}
        for amount in source.amounts.all():
            row[f"amount_{amount.year}"] = amount.amount_cents
            row[f"total_{amount.year}"] = amount.public_total_cents or None
        initial.append(row)
    initial += [{"kind": "other"} for _ in range(EXTRA_ROWS)]
    formset = SourceFormSet(
        request.POST or None, initial=initial, form_kwargs={"years": years}, prefix="bron"
    )
    error: ValidationError | None = None
    if request.method == "POST" and formset.is_valid():
        rows = []
        for form in formset:
            if form.is_blank():
                continue
            data = form.cleaned_data
            rows.append(
                services.SourceInput(
                    pk=data.get("pk"),
                    name=data.get("name") or "",
                    kind=data.get("kind") or "other",
                    amounts={y: data.get(f"amount_{y}") or 0 for y in years},
                    public_totals={y: data.get(f"total_{y}") or 0 for y in years},
                    delete=bool(data.get("delete")),
                )
            )
        try:
            services.set_sources(framework, rows, actor=request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, _("De geldbronnen zijn opgeslagen."))
            return redirect(framework)
    return render(
        request,
        "budgets/framework_sources.html",
        {"framework": framework, "formset": formset, "years": years, "error": error},
    )


@require_http_methods(["GET", "POST"])
def framework_themes(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    if (refused := _refuse_change(request, framework)) is not None:
        return refused
    initial: list[dict[str, Any]] = [
        {"pk": t.pk, "name": t.name, "share_bp": t.share_bp} for t in framework.themes.all()
    ]
    initial += [{} for _ in range(EXTRA_ROWS)]
    formset = ThemeFormSet(request.POST or None, initial=initial, prefix="thema")
    error: ValidationError | None = None
    if request.method == "POST" and formset.is_valid():
        rows = [
            services.ThemeInput(
                pk=form.cleaned_data.get("pk"),
                name=form.cleaned_data.get("name") or "",
                share_bp=form.cleaned_data.get("share_bp") or 0,
                delete=bool(form.cleaned_data.get("delete")),
            )
            for form in formset
            if not form.is_blank()
        ]
        try:
            services.set_themes(framework, rows, actor=request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, _("De thema's zijn opgeslagen."))
            return redirect(framework)
    return render(
        request,
        "budgets/framework_themes.html",
        {"framework": framework, "formset": formset, "error": error},
    )


@require_http_methods(["GET", "POST"])
def framework_weights(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    if (refused := _refuse_change(request, framework)) is not None:
        return refused
    current = {w.indicator.key: w.weight_bp for w in framework.weights.select_related("indicator")}
    form = WeightsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        weights = {key: value or 0 for key, value in form.cleaned_data.items()}
        changed = {k: v for k, v in weights.items() if v != current.get(k, 0)}
        try:
            services.set_weights(framework, changed, actor=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("De gewichten zijn opgeslagen."))
            return redirect(framework)
    return render(request, "budgets/framework_weights.html", {"framework": framework, "form": form})


def framework_preview(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    if not request.user.has_perm("budgets.view_preview", framework):
        return _deny(request)
    result = services.preview(framework)
    return render(
        request,
        "budgets/framework_preview.html",
        {
            "framework": framework,
            "preview": result,
            "year_totals": list(zip(result.years, result.totals, result.coverage, strict=True)),
            "line_rows": _line_rows(result),
            "can_adopt": framework.is_draft
            and request.user.has_perm("budgets.adopt_framework", framework),
            "open_data": _open_data_links(gemeente=framework.municipality.code),
        },
    )


def _line_rows(result: services.Preview) -> list[tuple[str, list[int]]]:
    names = [_("Ondersteuning van bewonersorganisaties"), *result.theme_names]
    names.append(_("Nog niet verdeeld (reserve)"))
    return [
        (str(name), [year[index] for year in result.line_totals])
        for index, name in enumerate(names)
    ]


@require_http_methods(["GET", "POST"])
def framework_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    if not request.user.has_perm("budgets.adopt_framework", framework):
        return _deny(request)
    if framework.is_adopted:
        messages.info(request, _("Dit budgetkader is al vastgesteld."))
        return redirect(framework)
    result = services.preview(framework)
    errors: list[str] = []
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            errors.append(_("Vink aan dat u het budgetkader wilt vaststellen."))
        else:
            try:
                services.adopt(framework, request.user)  # type: ignore[arg-type]
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                messages.success(
                    request,
                    _("Het budgetkader is vastgesteld. De wijkbudgetten staan klaar."),
                )
                return redirect(framework)
    return render(
        request,
        "budgets/framework_adopt.html",
        {
            "framework": framework,
            "preview": result,
            "errors": errors,
            "total": sum(result.totals),
        },
        status=400 if errors else 200,
    )


@require_POST
def framework_renew(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    if not request.user.has_perm("budgets.manage_commitments", framework):
        return _deny(request)
    form = YearForm(request.POST, years=framework.years, prefix="renew")
    if form.is_valid():
        try:
            renewal = services.renew_commitments(
                framework,
                form.cleaned_data["year"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(n)s toezeggingen verlengd voor %(year)s.")
                % {"n": len(renewal.posted), "year": renewal.year},
            )
            for commitment, reason in renewal.refused:
                messages.error(
                    request,
                    _(
                        "Niet verlengd: toezegging %(id)s aan %(organisation)s "
                        "(%(district)s). %(reason)s"
                    )
                    % {
                        "id": commitment.pk,
                        "organisation": commitment.organisation.name,
                        "district": commitment.line.district_budget.district.name,
                        "reason": reason,
                    },
                )
    else:
        messages.error(request, _("Kies een jaar van het budgetkader."))
    return redirect(framework)


@require_POST
def framework_close_year(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    if not request.user.has_perm("budgets.close_year", framework):
        return _deny(request)
    form = YearForm(request.POST, years=services.ended_years(framework), prefix="close")
    if form.is_valid():
        try:
            closing = services.close_year(
                framework,
                form.cleaned_data["year"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "%(year)s afgesloten: %(n)s trekkingsrechten, %(lapsed)s minuten vervallen, "
                    "%(carried)s minuten meegenomen."
                )
                % {
                    "year": closing.year,
                    "n": len(closing.closed),
                    "lapsed": closing.lapsed_minutes,
                    "carried": closing.carried_minutes,
                },
            )
    else:
        messages.error(request, _("Kies een jaar van het budgetkader."))
    return redirect(framework)


# --- District budget (residents) ---------------------------------------------------------------


def district_budget(request: HttpRequest, code: str) -> HttpResponse:
    district = _district(code)
    years = selectors.district_years(district)
    year = _chosen_year(request, years)
    views = selectors.district_overview(district, year) if year is not None else []
    is_official = request.user.has_perm("budgets.manage_commitments", district)
    return render(
        request,
        "budgets/district_budget.html",
        {
            "district": district,
            "years": years,
            "year": year,
            "views": views,
            "is_official": is_official,
            "open_data": _open_data_links(wijk=district.code),
        },
    )


def _chosen_year(request: HttpRequest, years: list[int]) -> int | None:
    if not years:
        return None
    wanted = request.GET.get("jaar", "")
    if wanted.isdigit() and int(wanted) in years:
        return int(wanted)
    this_year = timezone.localdate().year
    return this_year if this_year in years else years[0]


def money_flow(request: HttpRequest, code: str) -> HttpResponse:
    district = _district(code)
    raw = request.GET.get("procent", "5")
    pct = int(raw) if raw.isdigit() and 0 <= int(raw) <= 100 else 5
    flow = selectors.money_flow(district, pct * 100)
    context: dict[str, Any] = {
        "district": district,
        "flow": flow,
        "pct": pct,
        "choices": sorted(set(SCENARIO_CHOICES) | {pct}),
        "open_data": _open_data_links(wijk=district.code),
    }
    if flow.years:
        years = [str(y.year) for y in flow.years]
        source_series = [
            charts.Series(name, [_source_value(y, name, public=True) for y in flow.years])
            for name in flow.source_names
        ]
        budget_series = [
            charts.Series(name, [_source_value(y, name, public=False) for y in flow.years])
            for name in flow.source_names
        ]
        theme_series = [
            charts.Series(name, [dict(y.themes).get(name, 0) for y in flow.years])
            for name in flow.theme_names
        ]
        scenario_series = [
            charts.Series(_("Wijkbudget nu"), [y.budget for y in flow.years]),
            charts.Series(
                _("Erbij als %(pct)s %% naar het wijkbudget gaat") % {"pct": pct},
                [flow.scenario(y) - y.budget for y in flow.years],
            ),
        ]
        context.update(
            public_chart=charts.stacked_bars(
                title=_("Publiek geld door %(district)s per jaar, per bron")
                % {"district": district.name},
                description=_(
                    "Geschat bedrag per jaar naar inwonertal, opgedeeld naar geldbron. "
                    "De tabel eronder geeft dezelfde cijfers."
                ),
                categories=years,
                series=source_series,
                label=euro_whole,
            ),
            public_legend=charts.legend(source_series),
            budget_chart=charts.stacked_bars(
                title=_("Wijkbudget van %(district)s per jaar, per bron")
                % {"district": district.name},
                description=_("Het wijkbudget per jaar, naar de bron waar het vandaan komt."),
                categories=years,
                series=budget_series,
                label=euro_whole,
            ),
            theme_chart=charts.stacked_bars(
                title=_("Wijkbudget van %(district)s per jaar, per thema")
                % {"district": district.name},
                description=_("Het wijkbudget per jaar, verdeeld over de budgetregels."),
                categories=years,
                series=theme_series,
                label=euro_whole,
            ),
            theme_legend=charts.legend(theme_series),
            scenario_chart=charts.stacked_bars(
                title=_("Wat als %(pct)s %% van het andere publieke geld naar het wijkbudget gaat?")
                % {"pct": pct},
                description=_("Het wijkbudget nu, en wat erbij komt in dit scenario."),
                categories=years,
                series=scenario_series,
                label=euro_whole,
            ),
            scenario_legend=charts.legend(scenario_series),
        )
    template = "budgets/_money_flow_scenario.html" if request.htmx else "budgets/money_flow.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _source_value(year: selectors.FlowYear, name: str, *, public: bool) -> int:
    for source in year.sources:
        if source.name == name:
            return source.public if public else source.to_budget
    return 0


# --- Lines and commitments ---------------------------------------------------------------------


def _line(pk: int) -> BudgetLine:
    line = get_object_or_404(
        BudgetLine.objects.select_related(
            "district_budget__district__municipality",
            "district_budget__framework",
            "theme",
            "account",
        ),
        pk=pk,
    )
    if not line.district_budget.framework.is_adopted:
        raise Http404
    return line


def line_detail(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(pk)
    return _render_line(request, line)


def _render_line(
    request: HttpRequest,
    line: BudgetLine,
    *,
    commitment_form: CommitmentForm | None = None,
    right_form: DrawingRightForm | None = None,
    group_form: GroupForm | None = None,
    status: int = 200,
) -> HttpResponse:
    district = line.district_budget.district
    is_official = request.user.has_perm("budgets.manage_commitments", line)
    context: dict[str, Any] = {
        "line": line,
        "budget": line.district_budget,
        "district": district,
        "row": selectors.line_view(line),
        "commitments": selectors.commitments_started_on(line),
        "is_official": is_official,
        "open_data": _open_data_links(wijk=district.code),
    }
    if is_official:
        context["commitment_form"] = commitment_form or CommitmentForm(prefix="toezegging")
        context["right_form"] = right_form or DrawingRightForm(district=district, prefix="recht")
        context["group_form"] = group_form or GroupForm(prefix="groep")
    return render(request, "budgets/line_detail.html", context, status=status)


@require_POST
def commitment_create(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(pk)
    if not request.user.has_perm("budgets.manage_commitments", line):
        return _deny(request)
    form = CommitmentForm(request.POST, prefix="toezegging")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.create_commitment(
                line,
                data["organisation"],
                data["amount_cents"],
                actor=request.user,  # type: ignore[arg-type]
                end_year=data["end_year"],
                description=data["description"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("De toezegging is vastgelegd en het eerste jaar geboekt."))
            return redirect(line)
    return _render_line(request, line, commitment_form=form, status=400)


@require_http_methods(["GET", "POST"])
def commitment_end(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_object_or_404(
        Commitment.objects.select_related(
            "line__district_budget__district", "line__district_budget__framework", "organisation"
        ),
        pk=pk,
    )
    if not request.user.has_perm("budgets.manage_commitments", commitment):
        return _deny(request)
    today = timezone.localdate()
    earliest = services.earliest_last_year(commitment, today)
    form = CommitmentEndForm(request.POST or None, initial={"last_year": earliest})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_commitment(
                commitment,
                actor=request.user,  # type: ignore[arg-type]
                last_year=form.cleaned_data["last_year"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("De toezegging is opgezegd."))
            return redirect(commitment.line)
    return render(
        request,
        "budgets/commitment_end.html",
        {
            "commitment": commitment,
            "form": form,
            "earliest": earliest,
            "notice_months": services.notice_months(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def group_create(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(pk)
    district = line.district_budget.district
    if not request.user.has_perm("budgets.manage_drawing_rights", line):
        return _deny(request)
    form = GroupForm(request.POST, prefix="groep")
    if form.is_valid():
        try:
            services.create_group(
                district,
                form.cleaned_data["name"],
                form.cleaned_data["contact_email"],
                actor=request.user,  # type: ignore[arg-type]
                organisation=form.cleaned_data["organisation"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("De bewonersgroep is toegevoegd."))
            return redirect(line)
    return _render_line(request, line, group_form=form, status=400)


@require_POST
def drawing_right_create(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(pk)
    if not request.user.has_perm("budgets.manage_drawing_rights", line):
        return _deny(request)
    form = DrawingRightForm(request.POST, district=line.district_budget.district, prefix="recht")
    if form.is_valid():
        data = form.cleaned_data
        try:
            right = services.grant_drawing_right(
                line,
                data["group"],
                provider=data["provider"],
                minutes=data["minutes"],
                actor=request.user,  # type: ignore[arg-type]
                description=data["description"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Het trekkingsrecht is toegekend."))
            return redirect(right)
    return _render_line(request, line, right_form=form, status=400)


# --- Drawing rights (providers and groups) ------------------------------------------------------


def drawing_right_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    rights = selectors.rights_for_user(request.user)
    return render(
        request,
        "budgets/drawing_right_list.html",
        {"summaries": selectors.right_summaries(rights), "open_data": _open_data_links()},
    )


def _right(request: HttpRequest, pk: int) -> DrawingRight:
    right = get_object_or_404(
        DrawingRight.objects.select_related(
            "group__district",
            "provider_organisation",
            "provider_user",
            "line__theme",
            "line__district_budget__framework",
            "account",
            "used_account",
        ),
        pk=pk,
    )
    if not request.user.has_perm("budgets.view_drawing_right", right):
        raise Http404
    return right


@require_http_methods(["GET", "POST"])
def drawing_right_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    right = _right(request, pk)
    can_record = request.user.has_perm("budgets.record_hours", right)
    can_confirm = request.user.has_perm("budgets.confirm_hours", right)
    form = RecordHoursForm(request.POST or None, prefix="uren") if can_record else None
    status = 200
    if request.method == "POST":
        if form is None:
            return _deny(request)
        if form.is_valid():
            try:
                services.record_hours(
                    right,
                    minutes=form.cleaned_data["minutes"],
                    date=form.cleaned_data["date"],
                    description=form.cleaned_data["description"],
                    actor=request.user,
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request, _("De uren zijn vastgelegd. De groep kan ze nu bevestigen.")
                )
                return redirect(right)
        status = 400
    return render(
        request,
        "budgets/drawing_right_detail.html",
        {
            "right": right,
            "summary": selectors.right_summary(right),
            "deliveries": list(
                right.deliveries.select_related("recorded_by", "confirmed_by").order_by(
                    "-date", "-pk"
                )
            ),
            "form": form,
            "can_confirm": can_confirm,
            "open_data": _open_data_links(wijk=right.group.district.code),
            "dispute_form": DisputeForm(prefix="bezwaar") if can_confirm else None,
        },
        status=status,
    )


def _delivery(request: HttpRequest, pk: int) -> HoursDelivery:
    delivery = get_object_or_404(
        HoursDelivery.objects.select_related("drawing_right__group", "drawing_right__account"),
        pk=pk,
    )
    if not request.user.has_perm("budgets.view_drawing_right", delivery.drawing_right):
        raise Http404
    return delivery


@require_POST
def delivery_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    delivery = _delivery(request, pk)
    if not request.user.has_perm("budgets.confirm_hours", delivery.drawing_right):
        return _deny(request)
    try:
        services.confirm_hours(delivery, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(delivery.drawing_right.get_absolute_url(), status=303)
    messages.success(request, _("Bedankt. De uren zijn bevestigd."))
    return HttpResponseRedirect(delivery.drawing_right.get_absolute_url(), status=303)


@require_POST
def delivery_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    delivery = _delivery(request, pk)
    if not request.user.has_perm("budgets.confirm_hours", delivery.drawing_right):
        return _deny(request)
    form = DisputeForm(request.POST, prefix="bezwaar")
    if form.is_valid():
        try:
            services.dispute_hours(
                delivery,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Uw bezwaar is vastgelegd. De aanbieder ziet het."))
    else:
        messages.error(request, _("Schrijf kort op waarom de uren niet kloppen."))
    return HttpResponseRedirect(delivery.drawing_right.get_absolute_url(), status=303)


# --- Open data ----------------------------------------------------------------------------------

DATASETS = {
    "budgets": selectors.open_budget_rows,
    "lines": selectors.open_line_rows,
    "transactions": selectors.open_transaction_rows,
}


def open_data(request: HttpRequest) -> HttpResponse:
    municipalities = (
        Area.objects.filter(
            level=Level.MUNICIPALITY,
            budget_frameworks__status=BudgetFramework.Status.ADOPTED,
        )
        .distinct()
        .order_by("name")
    )
    return render(
        request,
        "budgets/open_data.html",
        {
            "all_links": _open_data_links(),
            "municipalities": [(m, _open_data_links(gemeente=m.code)) for m in municipalities],
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[dict[str, Any]], fields: list[str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(fields)
    for row in rows:
        yield writer.writerow(["" if row[f] is None else row[f] for f in fields])


def _json_lines(rows: Iterable[dict[str, Any]], meta: dict[str, Any]) -> Iterator[str]:
    yield '{"meta": ' + json.dumps(meta) + ', "rows": ['
    first = True
    for row in rows:
        yield ("" if first else ",\n") + json.dumps(row, ensure_ascii=False)
        first = False
    yield "]}\n"


def open_data_file(request: HttpRequest, dataset: str, fmt: str) -> StreamingHttpResponse:
    if dataset not in DATASETS or fmt not in ("csv", "json"):
        raise Http404
    municipality = district = None
    if request.GET.get("gemeente"):
        municipality = get_object_or_404(
            Area, code=request.GET["gemeente"].upper(), level=Level.MUNICIPALITY
        )
    if request.GET.get("wijk"):
        district = _district(request.GET["wijk"])
    rows = DATASETS[dataset](municipality=municipality, district=district)
    area = district or municipality
    scope = area.code if area is not None else "alle"
    filename = f"buurtbasis-{dataset}-{scope}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_lines(rows, selectors.OPEN_DATA_FIELDS[dataset]),
            content_type="text/csv; charset=utf-8",
        )
    else:
        meta = {
            "dataset": dataset,
            "scope": scope,
            "licence": "CC0-1.0",
            "amounts": _("EUR-bedragen in centen, uren in minuten"),
        }
        response = StreamingHttpResponse(
            _json_lines(rows, meta), content_type="application/json; charset=utf-8"
        )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
