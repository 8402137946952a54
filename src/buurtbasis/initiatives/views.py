"""Pages of resident initiatives. Views stay thin: parse a form, call a service, show the result.
Refusals of a service (a translated ValidationError or PermissionDenied) are shown on the page;
nothing has changed then."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from buurtbasis.accounts.models import User
from buurtbasis.agenda.models import AgendaGoal
from buurtbasis.areas.models import Area, Level
from buurtbasis.budgets.models import BudgetFramework, BudgetLine, DrawingRight
from buurtbasis.ledger.money import format_cents
from buurtbasis.places.models import Place

from . import selectors, services
from .forms import (
    AnswerForm,
    AppointForm,
    BallotForm,
    CoFundingForm,
    CommentForm,
    DecisionForm,
    ExpenseForm,
    FundForm,
    FundingPlanForm,
    GrantForm,
    InitiativeForm,
    LineSettingsForm,
    NeedForm,
    NominateForm,
    OwnerForm,
    PaperBallotForm,
    RemoveOptionForm,
    StateForm,
    StoryForm,
    VoteForm,
    add_service_errors,
)
from .models import (
    CoFundingRule,
    Fund,
    GrantRequest,
    Initiative,
    Need,
    NeedAnswer,
    Panel,
    PanelMember,
    PanelVolunteer,
    Theme,
    Vote,
    VoteOption,
)
from .rules import (
    RESIDENT_ROLES,
    holds_role_in_district,
    is_involved_in,
    is_verified_resident_of,
)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _refused(request: HttpRequest, error: Exception) -> None:
    """Show a service's refusal as a message."""
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(error) or _("U mag dit niet doen."))


def _area(code: str) -> Area:
    return get_object_or_404(
        Area.objects.select_related("parent", "municipality"), code=code.upper()
    )


def _initiative(pk: int) -> Initiative:
    return get_object_or_404(
        Initiative.objects.select_related(
            "area", "area__parent", "area__municipality", "place", "host"
        ),
        pk=pk,
    )


def _forbid(request: HttpRequest, perm: str, obj: Any) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(_("U mag dit niet doen."))


def _cents_to_euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


# --- Overview and showcase --------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """Where to start: the showcases per municipality, one's own initiatives, requests to
    decide on."""
    user = _user(request)
    municipalities = list(Area.objects.filter(level=Level.MUNICIPALITY).order_by("name")[:200])
    return render(
        request,
        "initiatives/index.html",
        {
            "municipalities": municipalities,
            "mine": services.initiatives_owned_by(user),
            "to_decide": services.requests_to_decide(user),
            "overdue": services.overdue_requests(user),
            "can_manage_funds": user.has_perm("initiatives.manage_funds"),
        },
    )


def showcase(request: HttpRequest, code: str) -> HttpResponse:
    """The etalage of a neighbourhood, district or municipality: list first, then the map;
    search and filters; by name, never by popularity."""
    area = _area(code)
    filters = selectors.Filters.from_request(request.GET)
    found = selectors.showcase(area, filters)
    district = (
        area
        if area.level == Level.DISTRICT
        else (area.parent if area.level == Level.NEIGHBOURHOOD else None)
    )
    return render(
        request,
        "initiatives/showcase.html",
        {
            "area": area,
            "district": district,
            "initiatives": found,
            "filters": filters,
            "themes": Theme.choices,
            "need_kinds": Need.Kind.choices,
            "states": Initiative.State.choices,
            "neighbourhoods": selectors.neighbourhoods_of(area)
            if area.level != Level.NEIGHBOURHOOD
            else [],
            "map_data": selectors.map_data(area, found),
            "children": list(area.children.order_by("name"))
            if area.level != Level.NEIGHBOURHOOD
            else [],
        },
    )


# --- The initiative ---------------------------------------------------------------------------


def _neighbourhood_choices(user: User, preferred: Area | None) -> Any:
    """Neighbourhoods to choose from: the municipality of the preferred area or of the
    person's own neighbourhood, else all."""
    base = Area.objects.filter(level=Level.NEIGHBOURHOOD)
    anchor = preferred or user.home_neighbourhood
    if anchor is not None and anchor.municipality_id:
        base = base.filter(municipality_id=anchor.municipality_id)
    return base.order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    preferred = Area.objects.filter(
        code=request.GET.get("buurt", "").upper(), level=Level.NEIGHBOURHOOD
    ).first()
    areas = _neighbourhood_choices(user, preferred)
    goals, places = _optional_links(preferred or user.home_neighbourhood)
    if request.method == "POST":
        form = InitiativeForm(request.POST, request.FILES, areas=areas, goals=goals, places=places)
        if form.is_valid():
            try:
                initiative = services.create_initiative(
                    user, photo=form.cleaned_data.get("photo"), **form.service_data()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Je initiatief staat erop. Vertel nu wat je nodig hebt, of vraag geld aan."),
                )
                return redirect(initiative)
    else:
        initial = {"area": preferred or user.home_neighbourhood or areas.first()}
        form = InitiativeForm(initial=initial, areas=areas, goals=goals, places=places)
    return render(request, "initiatives/initiative_form.html", {"form": form, "initiative": None})


def _optional_links(anchor: Area | None) -> tuple[Any, Any]:
    """Agenda goals and places to offer on the create page: those of the municipality of the
    chosen (or own) neighbourhood; the service checks that goals belong to the initiative's
    own neighbourhood or district."""
    goals = AgendaGoal.objects.select_related("agenda__area").order_by(
        "agenda__area__name", "position", "pk"
    )
    places = Place.objects.filter(is_active=True).order_by("name")
    if anchor is not None and anchor.municipality_id:
        goals = goals.filter(agenda__area__municipality_id=anchor.municipality_id)
        places = places.filter(area__municipality_id=anchor.municipality_id)
    return goals, places


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(pk)
    user = _user(request)
    view = selectors.initiative_view(initiative)
    can_change = user.has_perm("initiatives.change_initiative", initiative)
    return render(
        request,
        "initiatives/initiative_detail.html",
        {
            "initiative": initiative,
            "view": view,
            "can_change": can_change,
            "is_owner": services.is_owner(user, initiative),
            "state_form": StateForm(
                initial={"state": initiative.state, "state_note": initiative.state_note}
            )
            if can_change
            else None,
            "comment_form": CommentForm() if user.is_authenticated else None,
            "can_offer": user.has_perm("initiatives.offer_support", initiative),
            "can_join": user.has_perm("initiatives.join", initiative),
            "is_participant": user.is_authenticated
            and initiative.participants.filter(user=user).exists(),
            "can_story": user.has_perm("initiatives.post_story", initiative),
            "can_request": user.has_perm("initiatives.request_grant", initiative),
            "answerable": {
                n.need.pk for n in view.needs if user.has_perm("initiatives.answer_need", n.need)
            },
            "plan": services.plan_summary(initiative),
            "balance_text": format_cents(view.balance) if view.balance is not None else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(pk)
    user = _user(request)
    _forbid(request, "initiatives.change_initiative", initiative)
    areas = _neighbourhood_choices(user, initiative.area)
    district = initiative.area.parent
    goals = AgendaGoal.objects.filter(
        Q(agenda__area=initiative.area) | Q(agenda__area=district)
    ).order_by("position", "pk")
    places = Place.objects.filter(
        area__municipality=initiative.area.municipality, is_active=True
    ).order_by("name")
    if request.method == "POST":
        form = InitiativeForm(request.POST, request.FILES, areas=areas, goals=goals, places=places)
        if form.is_valid():
            try:
                services.update_initiative(
                    initiative,
                    user,
                    photo=form.cleaned_data.get("photo"),
                    remove_photo=form.cleaned_data.get("photo") is False,
                    **form.service_data(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Opgeslagen."))
                return redirect(initiative)
    else:
        form = InitiativeForm(
            initial={
                "name": initiative.name,
                "description": initiative.description,
                "area": initiative.area,
                "contact": initiative.contact,
                "needs_text": initiative.needs_text,
                "themes": list(initiative.themes.values_list("theme", flat=True)),
                "agenda_goals": list(initiative.agenda_goals.all()),
                "place": initiative.place,
                "starts_on": initiative.starts_on,
                "ends_on": initiative.ends_on,
            },
            areas=areas,
            goals=goals,
            places=places,
        )
    return render(
        request, "initiatives/initiative_form.html", {"form": form, "initiative": initiative}
    )


@login_required
@require_POST
def set_state(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(pk)
    form = StateForm(request.POST)
    if form.is_valid():
        try:
            services.set_state(
                initiative,
                _user(request),
                form.cleaned_data["state"],
                form.cleaned_data["state_note"],
            )
            messages.success(request, _("De stand van zaken is bijgewerkt."))
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
    else:
        messages.error(request, _("Kies hoe het ervoor staat."))
    return redirect(initiative)


@login_required
@require_http_methods(["GET", "POST"])
def owners(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(pk)
    user = _user(request)
    _forbid(request, "initiatives.manage_owners", initiative)
    form = OwnerForm(request.POST or None)
    if request.method == "POST":
        remove = request.POST.get("remove")
        if remove:
            target = get_object_or_404(User, pk=remove)
            try:
                services.remove_owner(initiative, user, target)
                messages.success(request, _("Verwijderd als initiatiefnemer."))
                return redirect("initiatives:owners", pk=initiative.pk)
            except ValidationError as exc:
                _refused(request, exc)
        elif form.is_valid():
            try:
                services.add_owner(initiative, user, form.cleaned_data["email"])
                messages.success(request, _("Toegevoegd als initiatiefnemer."))
                return redirect("initiatives:owners", pk=initiative.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
    return render(
        request,
        "initiatives/owners.html",
        {
            "initiative": initiative,
            "owners": list(initiative.owners.select_related("user")),
            "form": form,
        },
    )


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(
                initiative,
                _user(request),
                form.cleaned_data["text"],
                offer=form.cleaned_data["offer"],
            )
            messages.success(request, _("Dank je wel voor je reactie."))
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
    else:
        messages.error(request, _("Schrijf eerst een reactie."))
    return redirect(reverse("initiatives:detail", kwargs={"pk": pk}) + "#reacties")


@login_required
@require_POST
def join(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(pk)
    try:
        if request.POST.get("leave"):
            services.leave(initiative, _user(request))
            messages.success(request, _("Je doet niet meer mee."))
        else:
            services.join(initiative, _user(request))
            messages.success(request, _("Fijn dat je meedoet!"))
    except PermissionDenied as exc:
        _refused(request, exc)
    return redirect(initiative)


# --- Needs ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def need_add(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(pk)
    _forbid(request, "initiatives.add_need", initiative)
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hours = form.cleaned_data.get("hours")
        try:
            services.add_need(
                initiative,
                _user(request),
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                amount_cents=form.cleaned_data.get("amount"),
                minutes=hours * 60 if hours else None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Toegevoegd. Wie kan helpen, ziet het nu op de pagina."))
            return redirect(initiative)
    return render(request, "initiatives/need_form.html", {"initiative": initiative, "form": form})


@login_required
@require_POST
def need_status(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(Need.objects.select_related("initiative"), pk=pk)
    try:
        services.set_need_status(need, _user(request), request.POST.get("status", ""))
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect(need.initiative)


@login_required
@require_http_methods(["GET", "POST"])
def need_answer(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(Need.objects.select_related("initiative__area__parent"), pk=pk)
    user = _user(request)
    if need.kind == Need.Kind.MONEY:
        messages.info(request, _("Geld vraagt het initiatief aan bij het wijkbudget."))
        return redirect(need.initiative)
    if not user.has_perm("initiatives.answer_need", need):
        raise PermissionDenied(_("Dit soort hulp bieden mensen uit de wijk aan die er over gaan."))
    district = need.initiative.area.parent
    rights = (
        DrawingRight.objects.filter(group__district=district).select_related(
            "group", "provider_organisation", "provider_user"
        )
        if need.kind == Need.Kind.HOURS
        else None
    )
    places = (
        Place.objects.filter(area__parent=district, is_active=True).order_by("name")
        if need.kind == Need.Kind.SPACE
        else None
    )
    form = AnswerForm(request.POST or None, rights=rights, places=places)
    if request.method == "POST" and form.is_valid():
        hours = form.cleaned_data.get("hours")
        try:
            services.answer_need(
                need,
                user,
                message=form.cleaned_data["message"],
                drawing_right=form.cleaned_data.get("drawing_right"),
                place=form.cleaned_data.get("place"),
                minutes=hours * 60 if hours else None,
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError):
                add_service_errors(form, exc)
            else:
                form.add_error(None, str(exc))
        else:
            messages.success(request, _("Dank je wel! De initiatiefnemers krijgen bericht."))
            return redirect(need.initiative)
    return render(
        request,
        "initiatives/need_answer.html",
        {"need": need, "initiative": need.initiative, "form": form},
    )


@login_required
@require_POST
def answer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    answer = get_object_or_404(NeedAnswer.objects.select_related("need__initiative"), pk=pk)
    try:
        services.decide_answer(answer, _user(request), accept=request.POST.get("accept") == "1")
        messages.success(request, _("Opgeslagen."))
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect(answer.need.initiative)


# --- Grants -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def grant_new(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(pk)
    user = _user(request)
    if not user.has_perm("initiatives.request_grant", initiative):
        raise PermissionDenied(_("Alleen de initiatiefnemers vragen geld aan voor hun initiatief."))
    lines = services.lines_for(initiative)
    queryset = (
        BudgetLine.objects.filter(pk__in=[line.pk for line in lines])
        .select_related("theme", "district_budget")
        .order_by("district_budget__year", "-is_support", "theme__position", "pk")
    )
    available = {line.pk: services.available_cents(line) for line in lines}
    form = GrantForm(request.POST or None, lines=queryset)
    line_field = cast(Any, form.fields["line"])
    line_field.label_from_instance = lambda line: (
        _("%(line)s %(year)s — nog %(left)s")
        % {
            "line": line.label,
            "year": line.district_budget.year,
            "left": format_cents(available.get(line.pk, 0)),
        }
    )
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.request_grant(
                initiative,
                user,
                line=form.cleaned_data["line"],
                why=form.cleaned_data["why"],
                for_whom=form.cleaned_data["for_whom"],
                items=[services.Item(d, c) for d, c in form.items()],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Je aanvraag is verstuurd. Je krijgt bericht zodra er besloten is.")
            )
            return redirect(grant)
    settings_rows = [(line, services.settings_for(line)) for line in lines]
    return render(
        request,
        "initiatives/grant_form.html",
        {"initiative": initiative, "form": form, "lines": settings_rows},
    )


def _grant(pk: int) -> GrantRequest:
    return get_object_or_404(
        GrantRequest.objects.select_related(
            "initiative__area__parent",
            "line__theme",
            "line__district_budget__district",
            "host",
            "payout",
        ),
        pk=pk,
    )


def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant(pk)
    user = _user(request)
    context = selectors.grant_view(grant)
    can_decide = (
        user.has_perm("initiatives.decide_grant", grant)
        and not grant.decisions.filter(decider=user.pk).exists()
    )
    context.update(
        {
            "grant": grant,
            "initiative": grant.initiative,
            "decision_form": DecisionForm() if can_decide else None,
            "own_initiative": grant.is_open and is_involved_in(user, grant.initiative),
            "can_withdraw": user.has_perm("initiatives.withdraw_grant", grant),
            "expense_form": ExpenseForm()
            if user.has_perm("initiatives.record_expense", grant)
            and grant.status == GrantRequest.Status.APPROVED
            else None,
            "settings": services.settings_for(grant.line),
        }
    )
    return render(request, "initiatives/grant_detail.html", context)


@login_required
@require_POST
def grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant(pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies ja of nee en schrijf waarom."))
        return redirect(grant)
    try:
        services.decide_grant(
            grant,
            _user(request),
            approve=form.cleaned_data["approve"],
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        grant.refresh_from_db()
        if grant.status == GrantRequest.Status.APPROVED:
            messages.success(
                request, _("Toegekend: het geld staat op de rekening van het initiatief.")
            )
        elif grant.status == GrantRequest.Status.REJECTED:
            messages.success(request, _("Uw besluit is vastgelegd: de aanvraag is niet toegekend."))
        else:
            messages.success(request, _("Uw besluit is vastgelegd. We wachten nog op de anderen."))
    return redirect(grant)


@login_required
@require_POST
def grant_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant(pk)
    try:
        services.withdraw_grant(grant, _user(request))
        messages.success(request, _("De aanvraag is ingetrokken."))
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect(grant)


@login_required
@require_POST
def expense_add(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant(pk)
    form = ExpenseForm(request.POST)
    if form.is_valid():
        try:
            services.record_expense(
                grant,
                _user(request),
                description=form.cleaned_data["description"],
                amount_cents=form.cleaned_data["amount"],
                spent_on=form.cleaned_data["spent_on"],
            )
            messages.success(request, _("De uitgave is toegevoegd."))
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect(grant)


@login_required
def decisions(request: HttpRequest) -> HttpResponse:
    """Requests the signed-in person may decide on now, and for the district's professionals,
    civil servants and administrators the requests whose deadline has passed."""
    user = _user(request)
    return render(
        request,
        "initiatives/decisions.html",
        {
            "requests": services.requests_to_decide(user),
            "overdue": services.overdue_requests(user),
        },
    )


# --- Stories ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def story_new(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(pk)
    user = _user(request)
    if not user.has_perm("initiatives.post_story", initiative):
        raise PermissionDenied(
            _("Verhalen komen van de initiatiefnemers en de mensen die meedoen.")
        )
    grants = initiative.grant_requests.filter(status=GrantRequest.Status.APPROVED)
    form = StoryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        grant = grants.filter(pk=request.POST.get("grant") or 0).first()
        try:
            services.post_story(
                initiative,
                user,
                body=form.cleaned_data["text"],
                photo=form.cleaned_data.get("photo") or None,
                photo_alt=form.cleaned_data.get("photo_alt", ""),
                grant=grant,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Dank je wel voor je verhaal."))
            return redirect(reverse("initiatives:detail", kwargs={"pk": pk}) + "#verhalen")
    return render(
        request,
        "initiatives/story_form.html",
        {"initiative": initiative, "form": form, "grants": grants},
    )


# --- Funding ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def funding(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(pk)
    user = _user(request)
    _forbid(request, "initiatives.change_funding_plan", initiative)
    rules = CoFundingRule.objects.filter(municipality=initiative.area.municipality).order_by(
        "position", "pk"
    )
    funds = Fund.objects.filter(is_active=True).order_by("name")
    summary = services.plan_summary(initiative)
    if request.method == "POST":
        form = FundingPlanForm(request.POST, rules=rules, funds=funds)
        if form.is_valid():
            try:
                services.save_funding_plan(
                    initiative,
                    user,
                    total_cents=form.cleaned_data["total"],
                    cofunding_rule=form.cleaned_data.get("cofunding_rule"),
                    lines=[services.PlanLine(**line) for line in form.plan_lines()],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Het financieringsplan is opgeslagen."))
                return redirect(initiative)
    else:
        initial: dict[str, Any] = {
            "total": _cents_to_euros(summary.plan.total_cents),
            "cofunding_rule": summary.plan.cofunding_rule,
        }
        for i, line in enumerate(summary.lines[: FundingPlanForm.ROWS], start=1):
            initial.update(
                {
                    f"source_{i}": line.source,
                    f"from_{i}": line.description,
                    f"fund_{i}": line.fund,
                    f"pledged_{i}": _cents_to_euros(line.pledged_cents),
                    f"received_{i}": _cents_to_euros(line.received_cents),
                }
            )
        form = FundingPlanForm(initial=initial, rules=rules, funds=funds)
    return render(
        request,
        "initiatives/funding_form.html",
        {
            "initiative": initiative,
            "form": form,
            "summary": summary,
            "rules": list(rules),
            "suggestions": services.suggest_funds(initiative),
        },
    )


def funds(request: HttpRequest) -> HttpResponse:
    theme = request.GET.get("thema", "")
    level = request.GET.get("niveau", "")
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "initiatives/funds.html",
        {
            "funds": services.funds_directory(theme=theme, level=level, query=query),
            "themes": Theme.choices,
            "levels": Fund.Level.choices,
            "theme": theme,
            "level": level,
            "query": query,
            "can_manage": request.user.has_perm("initiatives.manage_funds"),
        },
    )


def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_object_or_404(Fund.objects.select_related("area", "organisation"), pk=pk)
    return render(
        request,
        "initiatives/fund_detail.html",
        {"fund": fund, "can_manage": request.user.has_perm("initiatives.manage_funds", fund)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def fund_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    fund = get_object_or_404(Fund, pk=pk) if pk else None
    _forbid(request, "initiatives.manage_funds", fund)
    areas = Area.objects.filter(level__in=[Level.MUNICIPALITY, Level.DISTRICT]).order_by(
        "level", "name"
    )
    if request.method == "POST":
        form = FundForm(request.POST, areas=areas)
        if form.is_valid():
            try:
                fund = services.save_fund(_user(request), fund, **form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Het fonds is opgeslagen."))
                return redirect(fund)
    else:
        initial: dict[str, Any] = {"is_active": True}
        if fund is not None:
            initial = {
                "name": fund.name,
                "description": fund.description,
                "level": fund.level,
                "area": fund.area,
                "themes": list(fund.themes.values_list("theme", flat=True)),
                "min_amount": _cents_to_euros(fund.min_cents),
                "max_amount": _cents_to_euros(fund.max_cents),
                "deadline": fund.deadline,
                "asks": fund.asks,
                "url": fund.url,
                "is_active": fund.is_active,
            }
        form = FundForm(initial=initial, areas=areas)
    return render(request, "initiatives/fund_form.html", {"form": form, "fund": fund})


@require_http_methods(["GET", "POST"])
def cofunding(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _area(code)
    if municipality.level != Level.MUNICIPALITY:
        raise Http404
    user = _user(request)
    can_manage = user.has_perm("initiatives.manage_cofunding", municipality)
    rules = services.cofunding_rules(municipality)
    form = None
    if can_manage:
        if request.method == "POST":
            form = CoFundingForm(request.POST)
            if form.is_valid():
                rows = []
                for i in range(1, CoFundingForm.ROWS + 1):
                    label = form.cleaned_data.get(f"label_{i}") or ""
                    share = form.cleaned_data.get(f"share_{i}")
                    if not label and share is None:
                        continue
                    rows.append(
                        services.RuleInput(
                            label=label,
                            share_bp=int((share or Decimal(0)) * 100),
                            description=form.cleaned_data.get(f"description_{i}") or "",
                            max_cents=form.cleaned_data.get(f"max_{i}"),
                            pk=rules[i - 1].pk if i <= len(rules) else None,
                        )
                    )
                try:
                    services.set_cofunding_rules(municipality, user, rows)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("De tabel is opgeslagen."))
                    return redirect("initiatives:cofunding", code=municipality.code)
        else:
            initial: dict[str, Any] = {}
            for i, rule in enumerate(rules[: CoFundingForm.ROWS], start=1):
                initial.update(
                    {
                        f"label_{i}": rule.label,
                        f"description_{i}": rule.description,
                        f"share_{i}": Decimal(rule.share_bp) / 100,
                        f"max_{i}": _cents_to_euros(rule.max_cents),
                    }
                )
            form = CoFundingForm(initial=initial)
    elif request.method == "POST":
        raise PermissionDenied(_("U mag dit niet doen."))
    return render(
        request,
        "initiatives/cofunding.html",
        {"municipality": municipality, "rules": rules, "form": form},
    )


# --- Budget line settings, panel --------------------------------------------------------------


def _line(pk: int) -> BudgetLine:
    return get_object_or_404(
        BudgetLine.objects.select_related(
            "theme", "district_budget__district", "district_budget__framework", "account"
        ),
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
def line(request: HttpRequest, pk: int) -> HttpResponse:
    """A budget line seen from initiatives: how grants are decided, what is left, the requests
    and votes."""
    budget_line = _line(pk)
    user = _user(request)
    current = services.settings_for(budget_line)
    can_manage = user.has_perm("initiatives.manage_line_settings", budget_line)
    form = None
    if can_manage:
        if request.method == "POST":
            form = LineSettingsForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.update_line_settings(
                        budget_line,
                        user,
                        open_for_requests=data["open_for_requests"],
                        small_limit_cents=data["small_limit"],
                        small_days=data["small_days"],
                        panel_days=data["panel_days"],
                        vote_enabled=data["vote_enabled"],
                        host=data["host"],
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("De instellingen zijn opgeslagen."))
                    return redirect("initiatives:line", pk=budget_line.pk)
        else:
            form = LineSettingsForm(
                initial={
                    "open_for_requests": current.open_for_requests,
                    "small_limit": _cents_to_euros(current.small_limit_cents),
                    "small_days": current.small_days,
                    "panel_days": current.panel_days,
                    "vote_enabled": current.vote_enabled,
                    "host": current.host,
                }
            )
    elif request.method == "POST":
        raise PermissionDenied(_("U mag dit niet doen."))
    return render(
        request,
        "initiatives/line.html",
        {
            "line": budget_line,
            "district": budget_line.district_budget.district,
            "settings": current,
            "form": form,
            "balance": services.line_balance(budget_line),
            "available": services.available_cents(budget_line),
            "requests": list(
                GrantRequest.objects.filter(line=budget_line)
                .select_related("initiative")
                .order_by("-submitted_at")[:100]
            ),
            "votes": list(Vote.objects.filter(line=budget_line).order_by("-created_at")),
            "can_vote": user.has_perm("initiatives.manage_vote", budget_line)
            and current.vote_enabled,
        },
    )


@require_http_methods(["GET", "POST"])
def panel(request: HttpRequest, code: str) -> HttpResponse:
    district = _area(code)
    if district.level != Level.DISTRICT:
        raise Http404
    user = _user(request)
    can_manage = user.has_perm("initiatives.manage_panel", district)
    form = AppointForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        action = request.POST.get("action", "")
        try:
            if action == "volunteer":
                services.volunteer(district, user)
                messages.success(
                    request,
                    _("Dank je wel! Je staat op de lijst van bewoners die willen meebeslissen."),
                )
            elif action == "stop":
                services.stop_volunteering(district, user)
                messages.success(request, _("Je staat niet meer op de lijst."))
            elif action == "draw":
                draw = services.draw_members(district, user)
                messages.success(
                    request, _("Er zijn %(n)s bewoners geloot.") % {"n": len(draw.chosen)}
                )
            elif action == "end":
                member = get_object_or_404(
                    PanelMember, pk=request.POST.get("member"), panel__district=district
                )
                services.end_membership(member, user)
                messages.success(request, _("Het lidmaatschap is beëindigd."))
            elif action == "appoint" and form is not None and form.is_valid():
                target = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
                if target is None:
                    raise ValidationError({"email": _("Er is niemand met dit e-mailadres.")})
                services.appoint_member(district, user, target)
                messages.success(request, _("Benoemd in de buurtjury."))
            else:
                raise ValidationError(_("Onbekende actie."))
            return redirect("initiatives:panel", code=district.code)
        except ValidationError as exc:
            if form is not None and action == "appoint":
                add_service_errors(form, exc)
            else:
                _refused(request, exc)
        except PermissionDenied as exc:
            _refused(request, exc)
    current = Panel.objects.filter(district=district).first()
    members = (
        list(current.members.filter(until__isnull=True).select_related("user")) if current else []
    )
    return render(
        request,
        "initiatives/panel.html",
        {
            "district": district,
            "panel": current,
            "members": members,
            "draws": list(current.draws.all()[:5]) if current else [],
            "form": form,
            "can_manage": can_manage,
            "can_volunteer": user.has_perm("initiatives.volunteer", district),
            "is_volunteer": user.is_authenticated
            and PanelVolunteer.objects.filter(district=district, user=user).exists(),
            "volunteers": PanelVolunteer.objects.filter(district=district).count()
            if can_manage
            else None,
        },
    )


# --- Votes ------------------------------------------------------------------------------------


def district_votes(request: HttpRequest, code: str) -> HttpResponse:
    district = _area(code)
    if district.level != Level.DISTRICT:
        raise Http404
    lines = (
        BudgetLine.objects.filter(
            district_budget__district=district,
            district_budget__framework__status=BudgetFramework.Status.ADOPTED,
            district_budget__year__gte=timezone.localdate().year,
        )
        .select_related("theme", "district_budget")
        .order_by("district_budget__year", "-is_support", "theme__position")
    )
    return render(
        request,
        "initiatives/votes.html",
        {"district": district, "votes": list(selectors.votes_in(district)), "lines": list(lines)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def vote_new(request: HttpRequest, pk: int) -> HttpResponse:
    budget_line = _line(pk)
    user = _user(request)
    _forbid(request, "initiatives.manage_vote", budget_line)
    form = VoteForm(request.POST or None, initial={"utility": Vote.Utility.COST})
    if request.method == "POST" and form.is_valid():
        try:
            vote = services.create_vote(
                budget_line,
                user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                budget_cents=form.cleaned_data["budget"],
                utility=form.cleaned_data["utility"],
                closes_on=form.cleaned_data.get("closes_on"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("De stemming is gemaakt. Bewoners kunnen nu initiatieven aanmelden.")
            )
            return redirect(vote)
    return render(
        request,
        "initiatives/vote_form.html",
        {"line": budget_line, "form": form, "available": services.available_cents(budget_line)},
    )


def _vote(pk: int) -> Vote:
    return get_object_or_404(
        Vote.objects.select_related("line__theme", "line__district_budget__district"), pk=pk
    )


def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vote = _vote(pk)
    user = _user(request)
    options = list(vote.options.select_related("initiative__area").order_by("initiative__name"))
    live = [o for o in options if not o.is_removed]
    removed = [o for o in options if o.is_removed]
    record = services.my_voter_record(vote, user)
    voted = record is not None
    ballot, shares = services.my_shares(vote, user)
    can_vote = (
        services.ballot_box_open(vote)
        and not voted
        and user.has_perm("initiatives.cast_ballot", vote)
    )
    return render(
        request,
        "initiatives/vote_detail.html",
        {
            "vote": vote,
            "district": vote.area,
            "options": live,
            "removed": removed,
            "voted": voted,
            "record": record,
            "ballot": ballot,
            "my_choices": [o for o in live if ballot and o.pk in ballot.approvals],
            "shares": shares,
            "ballot_form": BallotForm(options=live) if can_vote else None,
            "resident_elsewhere": user.is_authenticated
            and vote.status == Vote.Status.OPEN
            and not holds_role_in_district(user, vote.area, RESIDENT_ROLES),
            "unverified": user.is_authenticated
            and services.ballot_box_open(vote)
            and not voted
            and holds_role_in_district(user, vote.area, RESIDENT_ROLES)
            and not is_verified_resident_of(user, vote.area),
            "can_nominate": vote.status == Vote.Status.NOMINATING
            and user.has_perm("initiatives.nominate", vote),
            "can_manage": user.has_perm("initiatives.manage_vote", vote),
            "can_paper": services.ballot_box_open(vote)
            and user.has_perm("initiatives.enter_paper_ballot", vote),
            "results": selectors.result_rows(vote) if vote.status == Vote.Status.COUNTED else [],
            "share_per_voter": services.per_voter_euros(vote),
            "mes_left": vote.budget_cents - vote.mes_total_cents,
            "greedy_left": vote.budget_cents - vote.greedy_total_cents,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def vote_nominate(request: HttpRequest, pk: int) -> HttpResponse:
    vote = _vote(pk)
    user = _user(request)
    if not user.has_perm("initiatives.nominate", vote):
        raise PermissionDenied(
            _(
                "Alleen bewoners van de wijk zetten initiatieven op de stemlijst, en pas als een "
                "professional of ambtenaar heeft bevestigd dat u hier woont."
            )
        )
    candidates = (
        Initiative.objects.filter(area__parent=vote.area)
        .exclude(state=Initiative.State.ENDED)
        .exclude(vote_options__vote=vote)
        .order_by("name")
    )
    form = NominateForm(request.POST or None, initiatives=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.nominate(
                vote,
                user,
                form.cleaned_data["initiative"],
                amount_cents=form.cleaned_data["amount"],
                summary=form.cleaned_data["summary"],
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError):
                add_service_errors(form, exc)
            else:
                form.add_error(None, str(exc))
        else:
            messages.success(request, _("Het initiatief staat op de stemlijst."))
            return redirect(vote)
    return render(request, "initiatives/vote_nominate.html", {"vote": vote, "form": form})


@login_required
@require_POST
def vote_cast(request: HttpRequest, pk: int) -> HttpResponse:
    vote = _vote(pk)
    try:
        chosen = [int(v) for v in request.POST.getlist("options") if v.isdigit()]
        services.cast_ballot(vote, _user(request), chosen)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Dank je wel voor je stem. Alleen jij kunt zien wat je koos."))
    return redirect(vote)


@login_required
@require_http_methods(["GET", "POST"])
def vote_paper(request: HttpRequest, pk: int) -> HttpResponse:
    vote = _vote(pk)
    user = _user(request)
    _forbid(request, "initiatives.enter_paper_ballot", vote)
    options = list(
        vote.options.filter(removed_at__isnull=True)
        .select_related("initiative")
        .order_by("initiative__name")
    )
    form = PaperBallotForm(request.POST or None, options=options)
    if request.method == "POST" and form.is_valid():
        who = form.cleaned_data["voter_email"].strip()
        voter = (
            User.objects.filter(pk=int(who)).first()
            if who.isdigit()
            else User.objects.filter(email__iexact=who).first()
        )
        if voter is None:
            form.add_error("voter_email", _("Deze persoon staat niet in Buurtbasis."))
        else:
            try:
                services.enter_paper_ballot(
                    vote,
                    user,
                    voter,
                    form.cleaned_data["options"],
                    method=form.cleaned_data["method"],
                )
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, ValidationError):
                    add_service_errors(form, exc)
                else:
                    form.add_error(None, str(exc))
            else:
                messages.success(request, _("De stem is ingevoerd."))
                return redirect("initiatives:vote_paper", pk=vote.pk)
    return render(request, "initiatives/vote_paper.html", {"vote": vote, "form": form})


@login_required
@require_POST
def vote_status(request: HttpRequest, pk: int) -> HttpResponse:
    vote = _vote(pk)
    user = _user(request)
    action = request.POST.get("action", "")
    try:
        if action == "open":
            services.open_vote(vote, user)
            messages.success(request, _("De stemming is open."))
        elif action == "close":
            services.close_vote(vote, user)
            messages.success(request, _("De stemming is gesloten."))
        elif action == "count":
            services.count_vote(vote, user)
            messages.success(request, _("De uitslag is berekend en de winnaars zijn betaald."))
        else:
            raise ValidationError(_("Onbekende actie."))
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect(vote)


@login_required
@require_http_methods(["GET", "POST"])
def option_remove(request: HttpRequest, pk: int) -> HttpResponse:
    option = get_object_or_404(
        VoteOption.objects.select_related("vote__line__district_budget__district", "initiative"),
        pk=pk,
    )
    _forbid(request, "initiatives.manage_vote", option.vote)
    form = RemoveOptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_option(option, _user(request), reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Van de stemlijst gehaald; de reden staat bij de stemming.")
            )
            return redirect(option.vote)
    return render(
        request,
        "initiatives/option_remove.html",
        {"option": option, "vote": option.vote, "form": form},
    )
