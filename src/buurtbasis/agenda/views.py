"""Pages for the municipal framework, the BuurtTop (with working groups, registrations and the
statistics briefing) and the wijktoekomstagenda (web page and PDF)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buurtbasis.areas.models import Area, Level
from buurtbasis.places.forms import add_service_errors
from buurtbasis.places.printing import pdf_response, render_pdf
from buurtbasis.wijkbeeld import selectors as wijkbeeld_selectors

from . import selectors, services
from .forms import (
    ActionForm,
    AdoptForm,
    AgendaForm,
    BuurtTopForm,
    FrameworkForm,
    GoalBudgetLineForm,
    GoalForm,
    GroupForm,
    MemberForm,
    NoteForm,
    OutcomesForm,
    PartyForm,
    PublicValueForm,
    RegisterForm,
    RegisterOtherForm,
    ReviewForm,
)
from .models import (
    Agenda,
    AgendaAction,
    AgendaGoal,
    BuurtTop,
    Framework,
    Party,
    PublicValue,
    Registration,
    WorkingGroup,
)


def _area(code: str) -> Area:
    areas = Area.objects.select_related("parent", "municipality")
    return get_object_or_404(areas, code=code.upper())


def _check(request: HttpRequest, perm: str, obj: Any, message: str) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(message)


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[forms.Form], Any],
    *,
    heading: str,
    back: tuple[str, str],
    success: str,
    done: Callable[[Any], HttpResponse],
    explain: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The common pattern: a bound form on POST, a service call, errors back on the form."""
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            result = save(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return done(result)
    return render(
        request,
        "agenda/form.html",
        {
            "form": form,
            "heading": heading,
            "back_url": back[0],
            "back_label": back[1],
            "explain": explain,
            **(extra or {}),
        },
    )


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "agenda/index.html", selectors.overview())


# --- Municipal framework -------------------------------------------------------------------------


def framework(request: HttpRequest, code: str) -> HttpResponse:
    municipality = _area(code)
    if municipality.level != Level.MUNICIPALITY:
        raise Http404(_("Uitgangspunten zijn er per gemeente."))
    fw = Framework.objects.filter(municipality=municipality).first()
    user = request.user
    if fw is None and request.method == "POST":
        fw = services.get_or_create_framework(user, municipality)
        messages.success(request, _("Een concept is gemaakt. Vul het in."))
        return redirect(fw)
    context: dict[str, Any] = {
        "municipality": municipality,
        "framework": fw,
        "can_change": user.has_perm("agenda.change_framework", municipality),
        "can_adopt": user.has_perm("agenda.adopt_framework", municipality),
        "districts": list(
            Area.objects.filter(parent=municipality, level=Level.DISTRICT).order_by("name")
        ),
    }
    if fw is not None:
        context |= {
            "values": list(fw.public_values.all()),
            "parties": list(fw.parties.all()),
            "revisions": list(fw.revisions.all()),
            "adopt_form": AdoptForm(initial={"adopted_on": timezone.localdate()}),
            "value_form": PublicValueForm(),
            "party_form": PartyForm(),
            "budget_themes": services.budget_theme_names(municipality),
        }
    return render(request, "agenda/framework.html", context)


def _framework(code: str) -> Framework:
    return get_object_or_404(
        Framework.objects.select_related("municipality"), municipality__code=code.upper()
    )


@login_required
def framework_edit(request: HttpRequest, code: str) -> HttpResponse:
    fw = _framework(code)
    _check(request, "agenda.change_framework", fw, _("Alleen ambtenaren passen dit aan."))
    fields = ["title", *services.FRAMEWORK_TEXT_FIELDS, "start_year", "end_year"]
    form = FrameworkForm(request.POST or None, initial={f: getattr(fw, f) for f in fields})
    return _form_page(
        request,
        form,
        lambda f: services.update_framework(request.user, fw, f.cleaned_data),
        heading=_("Uitgangspunten aanpassen"),
        back=(fw.get_absolute_url(), fw.title),
        success=_("De uitgangspunten zijn opgeslagen."),
        done=lambda result: redirect(result),
    )


@login_required
@require_POST
def framework_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Small POST actions on the framework: add/remove a value or party, adopt, revise."""
    fw = _framework(code)
    user = request.user
    try:
        if action == "waarde":
            value_form = PublicValueForm(request.POST)
            value_form.is_valid()
            services.add_public_value(
                user,
                fw,
                value_form.cleaned_data.get("name", ""),
                value_form.cleaned_data.get("description", ""),
            )
        elif action == "waarde-weg":
            services.remove_public_value(
                user, get_object_or_404(PublicValue, pk=request.POST.get("pk"), framework=fw)
            )
        elif action == "partij":
            party_form = PartyForm(request.POST)
            party_form.is_valid()
            services.add_party(user, fw, **party_form.cleaned_data)
        elif action == "partij-weg":
            services.remove_party(
                user, get_object_or_404(Party, pk=request.POST.get("pk"), framework=fw)
            )
        elif action == "vaststellen":
            adopt_form = AdoptForm(request.POST)
            adopt_form.is_valid()
            services.adopt_framework(
                user,
                fw,
                adopted_on=adopt_form.cleaned_data.get("adopted_on"),
                reference=adopt_form.cleaned_data.get("reference", ""),
            )
        elif action == "herzien":
            services.revise_framework(user, fw)
        else:
            raise Http404()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Opgeslagen."))
    return redirect(fw)


# --- BuurtTop ------------------------------------------------------------------------------------


def buurttops(request: HttpRequest, code: str) -> HttpResponse:
    area = _area(code)
    can_create = request.user.has_perm("agenda.create_buurttop", area) and area.level in (
        Level.DISTRICT,
        Level.NEIGHBOURHOOD,
    )
    form = BuurtTopForm(request.POST or None) if can_create else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("U mag hier geen BuurtTop organiseren."))
        if form.is_valid():
            try:
                top = services.create_buurttop(request.user, area, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("De BuurtTop staat erop. Begin met de werkgroepen."))
                return redirect(top)
    return render(
        request,
        "agenda/buurttops.html",
        {
            "area": area,
            "tops": list(BuurtTop.objects.filter(area=area).order_by("-held_on")),
            "agendas": list(Agenda.objects.filter(area=area).order_by("-start_year")),
            "form": form,
            "can_create_agenda": request.user.has_perm("agenda.change_agenda", area),
        },
    )


def buurttop(request: HttpRequest, pk: int) -> HttpResponse:
    top = get_object_or_404(BuurtTop.objects.select_related("area", "organiser"), pk=pk)
    user = request.user
    own = (
        Registration.objects.filter(buurttop=top, user=user).first()
        if user.is_authenticated
        else None
    )
    return render(
        request,
        "agenda/buurttop.html",
        {
            "top": top,
            "area": top.area,
            "groups": selectors.groups_with_members(top.groups.all()),
            "registration_count": top.registrations.count(),
            "own_registration": own,
            "register_form": RegisterForm() if user.is_authenticated and not own else None,
            "can_change": user.has_perm("agenda.change_buurttop", top),
            "can_register_others": user.has_perm("agenda.register_others", top),
            "can_view_registrations": user.has_perm("agenda.view_registrations", top),
            "can_create_group": user.has_perm("agenda.create_group", top),
            "can_see_members": user.has_perm("agenda.see_group_members", top.area),
            "agendas": list(top.agendas.all()),
        },
    )


def _top(pk: int) -> BuurtTop:
    return get_object_or_404(BuurtTop.objects.select_related("area"), pk=pk)


@login_required
def buurttop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    top = _top(pk)
    _check(request, "agenda.change_buurttop", top, _("Alleen de organisatoren passen dit aan."))
    initial = {f: getattr(top, f) for f in ("title", "kind", "held_on", "location", "description")}
    return _form_page(
        request,
        BuurtTopForm(request.POST or None, initial=initial),
        lambda f: services.update_buurttop(request.user, top, f.cleaned_data),
        heading=_("BuurtTop aanpassen"),
        back=(top.get_absolute_url(), top.title),
        success=_("Opgeslagen."),
        done=lambda result: redirect(result),
    )


@login_required
def buurttop_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    top = _top(pk)
    _check(request, "agenda.change_buurttop", top, _("Alleen de organisatoren passen dit aan."))
    return _form_page(
        request,
        OutcomesForm(request.POST or None, initial={"outcomes": top.outcomes}),
        lambda f: services.record_outcomes(request.user, top, f.cleaned_data["outcomes"]),
        heading=_("Uitkomsten van de dag"),
        back=(top.get_absolute_url(), top.title),
        success=_("De uitkomsten zijn opgeslagen."),
        done=lambda result: redirect(result),
    )


@login_required
@require_POST
def buurttop_register(request: HttpRequest, pk: int) -> HttpResponse:
    top = _top(pk)
    if request.POST.get("cancel"):
        registration = get_object_or_404(Registration, buurttop=top, user=request.user)
        services.cancel_registration(request.user, registration)
        messages.success(request, _("U bent afgemeld."))
        return redirect(top)
    form = RegisterForm(request.POST)
    form.is_valid()
    try:
        services.register(request.user, top, needs=form.cleaned_data.get("needs", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("U bent aangemeld. Tot dan!"))
    return redirect(top)


@login_required
def registrations(request: HttpRequest, pk: int) -> HttpResponse:
    top = _top(pk)
    _check(request, "agenda.view_registrations", top, _("Alleen de organisatoren zien dit."))
    can_enter = request.user.has_perm("agenda.register_others", top)
    form = RegisterOtherForm(request.POST or None) if can_enter else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("U mag geen aanmeldingen invoeren."))
        if request.POST.get("remove"):
            registration = get_object_or_404(Registration, pk=request.POST["remove"], buurttop=top)
            services.cancel_registration(request.user, registration)
            messages.success(request, _("De aanmelding is verwijderd."))
            return redirect("agenda:registrations", pk=top.pk)
        if form.is_valid():
            try:
                services.register_other(request.user, top, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("De aanmelding is ingevoerd."))
                return redirect("agenda:registrations", pk=top.pk)
    return render(
        request,
        "agenda/registrations.html",
        {"top": top, "registrations": services.registrations(request.user, top), "form": form},
    )


def briefing(request: HttpRequest, pk: int) -> HttpResponse:
    """The statistics briefing for the working groups, generated from the wijkbeeld."""
    top = _top(pk)
    context = {"top": top, "briefing": wijkbeeld_selectors.briefing(top.area)}
    if request.path.endswith(".pdf"):
        context["printed_on"] = timezone.localdate()
        return pdf_response(
            render_pdf("agenda/print/briefing.html", context, request), f"briefing-{top.title}"
        )
    return render(request, "agenda/briefing.html", context)


# --- Working groups ------------------------------------------------------------------------------


@login_required
def group_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    owner: BuurtTop | Agenda = _top(pk) if kind == "buurttop" else get_object_or_404(Agenda, pk=pk)
    _check(request, "agenda.create_group", owner, _("Alleen de organisatoren maken werkgroepen."))
    values = PublicValue.objects.filter(
        pk__in=[v.pk for v in services.public_values_for(owner.area)]
    )
    return _form_page(
        request,
        GroupForm(request.POST or None, values=values),
        lambda f: services.create_group(
            request.user,
            buurttop=owner if isinstance(owner, BuurtTop) else None,
            agenda=owner if isinstance(owner, Agenda) else None,
            **f.cleaned_data,
        ),
        heading=_("Werkgroep maken"),
        back=(owner.get_absolute_url(), owner.title),
        success=_("De werkgroep is gemaakt."),
        done=lambda result: redirect(result),
    )


def group(request: HttpRequest, pk: int) -> HttpResponse:
    wg = get_object_or_404(
        WorkingGroup.objects.select_related("buurttop__area", "agenda__area", "public_value"),
        pk=pk,
    )
    user = request.user
    is_member = user.is_authenticated and wg.members.filter(user=user).exists()
    return render(
        request,
        "agenda/group.html",
        {
            "group": wg,
            "owner": wg.buurttop or wg.agenda,
            "members": list(wg.members.select_related("user")),
            "notes": list(wg.notes.select_related("author")),
            "actions": list(wg.actions.select_related("goal")),
            "is_member": is_member,
            "can_join": not is_member and user.has_perm("agenda.join_group", wg),
            "can_see_members": user.has_perm("agenda.see_group_members", wg),
            "can_add_member": user.has_perm("agenda.add_member", wg),
            "can_add_note": user.has_perm("agenda.add_note", wg),
            "note_form": NoteForm(initial={"held_on": timezone.localdate()}),
            "member_form": MemberForm(),
        },
    )


@login_required
@require_POST
def group_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    wg = get_object_or_404(WorkingGroup.objects.select_related("buurttop", "agenda"), pk=pk)
    try:
        if action == "meedoen":
            services.join_group(request.user, wg)
        elif action == "stoppen":
            services.leave_group(request.user, wg)
        elif action == "lid":
            member_form = MemberForm(request.POST)
            member_form.is_valid()
            services.add_member(
                request.user,
                wg,
                name=member_form.cleaned_data.get("name", ""),
                role=member_form.cleaned_data.get("role", "member"),
            )
        elif action == "verslag":
            note_form = NoteForm(request.POST)
            note_form.is_valid()
            services.add_note(
                request.user,
                wg,
                held_on=note_form.cleaned_data.get("held_on"),
                body=note_form.cleaned_data.get("body", ""),
            )
        else:
            raise Http404()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Opgeslagen."))
    return redirect(wg)


# --- Wijktoekomstagenda ---------------------------------------------------------------------------


@login_required
def agenda_create(request: HttpRequest, code: str) -> HttpResponse:
    area = _area(code)
    _check(request, "agenda.change_agenda", area, _("U mag hier geen agenda maken."))
    tops = BuurtTop.objects.filter(area=area)
    form = AgendaForm(
        request.POST or None,
        tops=tops,
        initial={"start_year": timezone.localdate().year, "buurttop": tops.first()},
    )
    return _form_page(
        request,
        form,
        lambda f: services.create_agenda(
            request.user,
            area,
            f.cleaned_data,
            buurttop=f.cleaned_data.get("buurttop"),
        ),
        heading=_("Wijktoekomstagenda maken"),
        back=(area.get_absolute_url(), area.name),
        success=_("De agenda is gemaakt. Voeg nu doelen toe."),
        done=lambda result: redirect(result),
    )


def agenda_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agenda = get_object_or_404(Agenda.objects.select_related("area", "buurttop"), pk=pk)
    user = request.user
    can_change = user.has_perm("agenda.change_agenda", agenda)
    if not agenda.is_published and not can_change:
        raise Http404(_("Deze agenda is nog niet gepubliceerd."))
    return render(
        request,
        "agenda/agenda.html",
        {
            "agenda": agenda,
            "area": agenda.area,
            "grouped": selectors.goals_by_value(agenda),
            "groups": selectors.agenda_groups(agenda),
            "can_change": can_change,
            "can_publish": user.has_perm("agenda.publish_agenda", agenda),
            "can_review": user.has_perm("agenda.record_review", agenda),
        },
    )


def _agenda(pk: int) -> Agenda:
    return get_object_or_404(Agenda.objects.select_related("area"), pk=pk)


@login_required
def agenda_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agenda = _agenda(pk)
    _check(request, "agenda.change_agenda", agenda, _("U mag deze agenda niet aanpassen."))
    initial = {f: getattr(agenda, f) for f in ("title", "vision", "start_year")}
    return _form_page(
        request,
        AgendaForm(request.POST or None, initial=initial),
        lambda f: services.update_agenda(request.user, agenda, f.cleaned_data),
        heading=_("Agenda aanpassen"),
        back=(agenda.get_absolute_url(), agenda.title),
        success=_("Opgeslagen."),
        done=lambda result: redirect(result),
    )


def _values(area: Area) -> Any:
    return PublicValue.objects.filter(pk__in=[v.pk for v in services.public_values_for(area)])


@login_required
def goal_form(request: HttpRequest, pk: int, goal_pk: int | None = None) -> HttpResponse:
    agenda = _agenda(pk)
    _check(request, "agenda.change_agenda", agenda, _("U mag deze agenda niet aanpassen."))
    goal = get_object_or_404(AgendaGoal, pk=goal_pk, agenda=agenda) if goal_pk else None
    initial = (
        {
            f: getattr(goal, f)
            for f in ("title", "description", "horizon_years", "public_value", "residents_own")
        }
        if goal
        else {"horizon_years": 5}
    )
    form = GoalForm(request.POST or None, values=_values(agenda.area), initial=initial)
    if goal is not None and request.method == "POST" and request.POST.get("remove"):
        try:
            services.remove_goal(request.user, goal)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(agenda)
    return _form_page(
        request,
        form,
        lambda f: (
            services.update_goal(request.user, goal, f.cleaned_data)
            if goal
            else services.add_goal(request.user, agenda, f.cleaned_data)
        ),
        heading=_("Doel aanpassen") if goal else _("Doel toevoegen"),
        back=(agenda.get_absolute_url(), agenda.title),
        success=_("Het doel is opgeslagen."),
        done=lambda result: redirect(result.get_absolute_url()),
        explain=_(
            "Een doel zegt waar de wijk over 5 of 10 jaar wil staan. Koppel het aan een publieke "
            "waarde van de gemeente, of maak er een eigen doel van de bewoners van."
        ),
        extra=_goal_budget_context(request, goal) if goal else None,
    )


def _goal_budget_context(request: HttpRequest, goal: AgendaGoal) -> dict[str, Any]:
    """The "money for this goal" section of the goal edit page: the linked budget lines and,
    for who may edit the district budget, a form to link another line."""
    linked = selectors.money_for_goals([goal]).get(goal.pk, [])
    context: dict[str, Any] = {"budget_goal": goal, "budget_lines": linked}
    if request.user.has_perm("agenda.link_budget_line", goal):
        choices = services.budget_lines_for_goal(goal).exclude(pk__in=[m.line_id for m in linked])
        context["budget_form"] = GoalBudgetLineForm(lines=choices)
        context["can_link_budget"] = True
    return context


@login_required
@require_POST
def goal_budget(request: HttpRequest, goal_pk: int) -> HttpResponse:
    """Link a budget line to a goal, or unlink one (``unlink`` = the line's id)."""
    goal = get_object_or_404(AgendaGoal.objects.select_related("agenda__area__parent"), pk=goal_pk)
    _check(
        request,
        "agenda.link_budget_line",
        goal,
        _("Alleen wie het wijkbudget beheert, koppelt budgetregels aan doelen."),
    )
    try:
        if request.POST.get("unlink"):
            line = get_object_or_404(
                services.budget_lines_for_goal(goal), pk=request.POST["unlink"]
            )
            services.unlink_budget_line(request.user, goal, line)
            messages.success(request, _("De budgetregel hoort niet meer bij dit doel."))
        else:
            form = GoalBudgetLineForm(request.POST, lines=services.budget_lines_for_goal(goal))
            line = form.cleaned_data.get("line") if form.is_valid() else None
            services.link_budget_line(request.user, goal, line)
            messages.success(request, _("De budgetregel is aan het doel gekoppeld."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("agenda:goal_edit", pk=goal.agenda_id, goal_pk=goal.pk)


@login_required
def action_add(request: HttpRequest, goal_pk: int) -> HttpResponse:
    goal = get_object_or_404(AgendaGoal.objects.select_related("agenda__area"), pk=goal_pk)
    agenda = goal.agenda
    _check(request, "agenda.change_agenda", agenda, _("U mag deze agenda niet aanpassen."))
    groups = WorkingGroup.objects.filter(agenda=agenda) | WorkingGroup.objects.filter(
        buurttop__area=agenda.area
    )
    return _form_page(
        request,
        ActionForm(request.POST or None, groups=groups.distinct()),
        lambda f: services.add_action(request.user, goal, f.cleaned_data),
        heading=_("Actie toevoegen bij: %(goal)s") % {"goal": goal.title},
        back=(goal.get_absolute_url(), agenda.title),
        success=_("De actie is toegevoegd."),
        done=lambda result: redirect(goal.get_absolute_url()),
    )


@login_required
@require_POST
def action_status(request: HttpRequest, action_pk: int) -> HttpResponse:
    action = get_object_or_404(
        AgendaAction.objects.select_related("goal__agenda__area"), pk=action_pk
    )
    try:
        services.set_action_status(request.user, action, request.POST.get("status", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(action.goal.get_absolute_url())


@login_required
def review_add(request: HttpRequest, goal_pk: int) -> HttpResponse:
    goal = get_object_or_404(AgendaGoal.objects.select_related("agenda__area"), pk=goal_pk)
    agenda = goal.agenda
    _check(request, "agenda.record_review", agenda, _("U mag hier geen terugblik vastleggen."))
    tops = BuurtTop.objects.filter(area=agenda.area)
    form = ReviewForm(
        request.POST or None,
        tops=tops,
        initial={"year": timezone.localdate().year, "buurttop": tops.first()},
    )
    return _form_page(
        request,
        form,
        lambda f: services.record_review(
            request.user,
            goal,
            year=f.cleaned_data.get("year"),
            progress=f.cleaned_data.get("progress", ""),
            buurttop=f.cleaned_data.get("buurttop"),
        ),
        heading=_("Jaarlijkse terugblik: %(goal)s") % {"goal": goal.title},
        back=(goal.get_absolute_url(), agenda.title),
        success=_("De terugblik is vastgelegd."),
        done=lambda result: redirect(goal.get_absolute_url()),
        explain=_("Beschrijf in gewone woorden wat er dit jaar is gebeurd: geen cijfers nodig."),
    )


@login_required
@require_POST
def agenda_publish(request: HttpRequest, pk: int) -> HttpResponse:
    agenda = _agenda(pk)
    try:
        services.publish_agenda(request.user, agenda)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("De agenda is gepubliceerd. Print de pdf voor elke brievenbus.")
        )
    return redirect(agenda)


def agenda_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    agenda = get_object_or_404(Agenda.objects.select_related("area", "buurttop"), pk=pk)
    if not agenda.is_published and not request.user.has_perm("agenda.change_agenda", agenda):
        raise Http404(_("Deze agenda is nog niet gepubliceerd."))
    context = {
        "agenda": agenda,
        "area": agenda.area,
        "grouped": selectors.goals_by_value(agenda),
        "groups": selectors.agenda_groups(agenda),
        "printed_on": timezone.localdate(),
    }
    return pdf_response(render_pdf("agenda/print/agenda.html", context, request), agenda.title)
