"""Light grants: an initiative asks an amount from its district's budget line with a short
story and a simple budget; one resident and one professional of the district decide small
requests together, the buurtjury (by majority, reasons published) larger ones. Approval pays
out through the ledger from the budget line to the initiative's account, held for it by a
host organisation.

Ledger accounts (unit, owner · purpose):

- EUR  BudgetLine · ``line``          (the budgets app's account of the line)
- EUR  Initiative · ``grants``        what the initiative received, held by its host

Transaction kind ``initiatives.grant``, idempotency key ``initiatives:grant:<id>:payout``.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from buurtbasis.accounts.models import Role, User
from buurtbasis.areas.models import Area, Level
from buurtbasis.budgets.models import BudgetFramework, BudgetLine
from buurtbasis.core import audit
from buurtbasis.ledger import services as ledger
from buurtbasis.ledger.errors import LedgerError
from buurtbasis.ledger.models import Account, Unit
from buurtbasis.ledger.money import format_cents

from ..models import (
    BudgetItem,
    Decision,
    GrantRequest,
    Initiative,
    LineSettings,
    Need,
    Panel,
    PanelDraw,
    PanelMember,
    PanelVolunteer,
    Vote,
)
from ..rules import (
    RESIDENT_ROLES,
    holds_role_in_district,
    involved_ids,
    is_involved_in,
    is_verified_resident_of,
)
from .common import (
    add_working_days,
    cents,
    describe,
    ledger_error,
    lock,
    notify,
    require,
    site_url,
    text,
    working_days_between,
)
from .initiatives import district_member_users

KIND_GRANT = "initiatives.grant"
MAX_ITEMS = 8
MIN_PANEL = 3
REMIND_DAYS_BEFORE = 2


# --- Settings per budget line -----------------------------------------------------------------


def settings_for(line: BudgetLine) -> LineSettings:
    """The line's settings, or the defaults (not saved) when none were made."""
    found = LineSettings.objects.filter(line=line).select_related("host").first()
    return found or LineSettings(line=line)


def update_line_settings(line: BudgetLine, actor: Any, **values: Any) -> LineSettings:
    """Change how grants from this line are decided (civil servants and administrators)."""
    require(actor, "initiatives.manage_line_settings", line, "initiatives.line_settings")
    allowed = {
        "open_for_requests",
        "small_limit_cents",
        "small_days",
        "panel_days",
        "vote_enabled",
        "host",
    }
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    if "small_limit_cents" in values:
        cents(
            values["small_limit_cents"], "small_limit_cents", label=_("De grens"), allow_zero=True
        )
    for field in ("small_days", "panel_days"):
        if field in values:
            days = values[field]
            if not isinstance(days, int) or not 1 <= days <= 60:
                raise ValidationError({field: _("Kies tussen 1 en 60 werkdagen.")})
    with transaction.atomic():
        current = settings_for(line)
        for field, value in values.items():
            setattr(current, field, value)
        current.updated_by = actor
        current.save()
        audit.record(
            actor,
            "initiatives.line_settings",
            line,
            **{k: (v.pk if hasattr(v, "pk") else v) for k, v in values.items()},
        )
    return current


# --- Money available --------------------------------------------------------------------------


def line_balance(line: BudgetLine) -> int:
    return ledger.balance(line.account) if line.account is not None else 0


def reserved_cents(line: BudgetLine, *, exclude_vote: Vote | None = None) -> int:
    """Money of the line promised but not yet paid: open requests and votes not yet counted."""
    open_requests = GrantRequest.objects.filter(
        line=line, status=GrantRequest.Status.SUBMITTED
    ).aggregate(total=Sum("amount_cents"))["total"]
    votes = Vote.objects.filter(line=line).exclude(status=Vote.Status.COUNTED)
    if exclude_vote is not None:
        votes = votes.exclude(pk=exclude_vote.pk)
    open_votes = votes.aggregate(total=Sum("budget_cents"))["total"]
    return int(open_requests or 0) + int(open_votes or 0)


def available_cents(line: BudgetLine) -> int:
    """What can still be asked: the line's balance in the ledger minus what is reserved."""
    return max(line_balance(line) - reserved_cents(line), 0)


def lines_for(initiative: Initiative, year: int | None = None) -> list[BudgetLine]:
    """The adopted budget lines of the initiative's district (this year first)."""
    district = initiative.area.parent
    if district is None:
        return []
    year = year or timezone.localdate().year
    return list(
        BudgetLine.objects.filter(
            district_budget__district=district,
            district_budget__framework__status=BudgetFramework.Status.ADOPTED,
            district_budget__year__gte=year,
        )
        .select_related("theme", "district_budget__district", "account")
        .order_by("district_budget__year", "-is_support", "theme__position", "pk")
    )


# --- Asking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    description: str
    amount_cents: int


def panel_members(district: Area) -> list[PanelMember]:
    """The active members of the district's buurtjury."""
    return list(
        PanelMember.objects.filter(panel__district=district, until__isnull=True).select_related(
            "user"
        )
    )


def _deciders(request: GrantRequest) -> list[User]:
    """Who is asked to decide: for a small request the professionals of the district and the
    residents who volunteered to decide; for a larger one the panel."""
    district = request.area
    involved = involved_ids(request.initiative)
    if request.route == GrantRequest.Route.PANEL:
        users = [m.user for m in panel_members(district)]
    else:
        users = district_member_users(district, [Role.PROFESSIONAL]) + [
            v.user
            for v in PanelVolunteer.objects.filter(district=district).select_related("user")
            if is_verified_resident_of(v.user, district)
        ]
    return [u for u in users if u.pk not in involved]


def _owners(initiative: Initiative) -> list[User]:
    return [o.user for o in initiative.owners.select_related("user")]


def _check_available(line: BudgetLine, amount: int) -> None:
    available = available_cents(line)
    if amount > available:
        raise ValidationError(
            {
                "items": _(
                    "U vraagt %(amount)s, maar in deze budgetregel is nog %(left)s "
                    "beschikbaar. Vraag een lager bedrag of kies een andere regel."
                )
                % {"amount": format_cents(amount), "left": format_cents(available)}
            },
            code="over_budget",
        )


def request_grant(
    initiative: Initiative,
    actor: Any,
    *,
    line: BudgetLine,
    why: str,
    for_whom: str,
    items: Sequence[Item],
    need: Need | None = None,
    today: datetime.date | None = None,
) -> GrantRequest:
    """Ask the line for the sum of ``items`` (a simple budget of one to eight lines)."""
    require(
        actor,
        "initiatives.request_grant",
        initiative,
        "initiatives.grant_request",
        _("Alleen de initiatiefnemers vragen geld aan voor hun initiatief."),
    )
    today = today or timezone.localdate()
    errors: dict[str, Any] = {}
    try:
        clean_why = text(why, "why", max_length=2000, label=_("waarom"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        clean_for = text(for_whom, "for_whom", max_length=2000, label=_("voor wie"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    clean_items: list[Item] = []
    if not items:
        errors["items"] = [_("Geef minstens één regel van de begroting.")]
    elif len(items) > MAX_ITEMS:
        errors["items"] = [_("Hoogstens %(n)s regels; houd het eenvoudig.") % {"n": MAX_ITEMS}]
    else:
        try:
            for item in items:
                clean_items.append(
                    Item(
                        text(item.description, "items", max_length=200, label=_("waarvoor")),
                        cents(item.amount_cents, "items", label=_("Elke regel")),
                    )
                )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    amount = sum(i.amount_cents for i in clean_items)
    district = initiative.area.parent
    if line.district_budget.district_id != getattr(district, "pk", None):
        raise ValidationError({"line": _("Kies een budgetregel van de wijk van het initiatief.")})
    if line.district_budget.framework.status != BudgetFramework.Status.ADOPTED:
        raise ValidationError({"line": _("Dit budget is nog niet vastgesteld.")})
    if need is not None and (need.initiative_id != initiative.pk or need.kind != Need.Kind.MONEY):
        raise ValidationError({"need": _("Kies een geldbehoefte van dit initiatief.")})
    rules = settings_for(line)
    if not rules.open_for_requests:
        raise ValidationError({"line": _("Bij deze budgetregel kan nu niets worden aangevraagd.")})
    host = initiative.host or rules.host
    if host is None:
        raise ValidationError(
            {
                "line": _(
                    "Er is nog geen gastorganisatie die het geld voor initiatieven beheert. "
                    "Vraag uw buurtwerker of de gemeente om er een in te stellen."
                )
            }
        )
    _check_available(line, amount)  # checked again under the lock below
    route = (
        GrantRequest.Route.SMALL if amount <= rules.small_limit_cents else GrantRequest.Route.PANEL
    )
    if route == GrantRequest.Route.PANEL:
        eligible = [m for m in panel_members(line.area) if not is_involved_in(m.user, initiative)]
        if len(eligible) < MIN_PANEL:
            raise ValidationError(
                {
                    "items": _(
                        "Voor meer dan %(limit)s beslist de buurtjury, maar die heeft in deze "
                        "wijk nog geen %(n)s leden. Vraag een kleiner bedrag of neem contact op "
                        "met uw buurtwerker."
                    )
                    % {"limit": format_cents(rules.small_limit_cents), "n": MIN_PANEL}
                }
            )
    days = rules.small_days if route == GrantRequest.Route.SMALL else rules.panel_days
    with transaction.atomic():
        lock(line)
        _check_available(line, amount)
        request = GrantRequest.objects.create(
            initiative=initiative,
            line=line,
            need=need,
            amount_cents=amount,
            why=clean_why,
            for_whom=clean_for,
            route=route,
            submitted_by=actor,
            deadline=add_working_days(today, days),
        )
        BudgetItem.objects.bulk_create(
            [
                BudgetItem(request=request, description=i.description, amount_cents=i.amount_cents)
                for i in clean_items
            ]
        )
        audit.record(
            actor,
            "initiatives.grant_request",
            request,
            amount_cents=amount,
            line=line.pk,
            route=route,
        )
    context = {
        "request": request,
        "initiative": initiative,
        "amount": format_cents(amount),
        "url": site_url(request.get_absolute_url()),
    }
    notify(
        _owners(initiative),
        gettext_noop("Uw aanvraag voor %(name)s is ontvangen"),
        "initiatives/email/grant_submitted.txt",
        context,
        {"name": initiative.name},
    )
    notify(
        _deciders(request),
        gettext_noop("Wilt u meebeslissen over %(name)s?"),
        "initiatives/email/grant_to_decide.txt",
        context,
        {"name": initiative.name},
    )
    return request


def withdraw_grant(request: GrantRequest, actor: Any) -> GrantRequest:
    require(actor, "initiatives.withdraw_grant", request, "initiatives.grant_withdraw")
    with transaction.atomic():
        lock(request)
        request.refresh_from_db()
        if not request.is_open:
            raise ValidationError(_("Over deze aanvraag is al besloten."))
        request.status = GrantRequest.Status.WITHDRAWN
        request.save(update_fields=["status"])
        audit.record(actor, "initiatives.grant_withdraw", request)
    # Everyone who was asked to decide, or already did, need not look at it any more.
    decided = [d.decider for d in request.decisions.select_related("decider") if d.decider]
    notify(
        [*_deciders(request), *decided],
        gettext_noop("Aanvraag ingetrokken: %(name)s"),
        "initiatives/email/grant_withdrawn.txt",
        {
            "request": request,
            "initiative": request.initiative,
            "amount": format_cents(request.amount_cents),
            "url": site_url(request.get_absolute_url()),
        },
        {"name": request.initiative.name},
    )
    return request


# --- Deciding ---------------------------------------------------------------------------------


def _capacity(request: GrantRequest, actor: Any) -> str:
    """In what capacity ``actor`` decides, or a translated refusal."""
    if request.route == GrantRequest.Route.PANEL:
        return Decision.Capacity.PANEL
    taken = set(request.decisions.values_list("capacity", flat=True))
    district = request.area
    if (
        holds_role_in_district(actor, district, (Role.PROFESSIONAL,))
        and Decision.Capacity.PROFESSIONAL not in taken
    ):
        return Decision.Capacity.PROFESSIONAL
    if is_verified_resident_of(actor, district) and Decision.Capacity.RESIDENT not in taken:
        return Decision.Capacity.RESIDENT
    raise ValidationError(
        _("Er heeft al een bewoner of professional in uw rol over deze aanvraag besloten."),
        code="slot_taken",
    )


def decide_grant(request: GrantRequest, actor: Any, *, approve: bool, reason: str) -> GrantRequest:
    """One decider's yes or no with a reason. A small request is granted when a resident and a
    professional of the district both say yes, and refused when one says no; a larger one by a
    majority of the panel members who may decide on it. A decider who is part of the initiative
    (owner, creator, participant, helper: ``rules.involved_ids``) cannot decide on it."""
    if is_involved_in(actor, request.initiative):
        audit.record(actor, "initiatives.grant_decide", request, result="denied", own=True)
        raise PermissionDenied(
            _("U hoort bij dit initiatief. Daarom beslist u er niet over; een ander doet dat.")
        )
    if not request.is_open:
        raise ValidationError(_("Over deze aanvraag is al besloten."), code="closed")
    require(
        actor,
        "initiatives.decide_grant",
        request,
        "initiatives.grant_decide",
        _("Over deze aanvraag beslissen een bewoner en een professional van de wijk")
        if request.route == GrantRequest.Route.SMALL
        else _("Over deze aanvraag beslist de buurtjury van de wijk."),
    )
    clean_reason = text(reason, "reason", max_length=2000, label=_("een reden"))
    with transaction.atomic():
        lock(request)
        request.refresh_from_db()
        if not request.is_open:
            raise ValidationError(_("Over deze aanvraag is al besloten."), code="closed")
        capacity = _capacity(request, actor)
        try:
            with transaction.atomic():
                Decision.objects.create(
                    request=request,
                    decider=actor,
                    capacity=capacity,
                    approve=approve,
                    reason=clean_reason,
                )
        except IntegrityError:
            raise ValidationError(
                _("U heeft al over deze aanvraag besloten."), code="twice"
            ) from None
        audit.record(actor, "initiatives.grant_decide", request, approve=approve, capacity=capacity)
        outcome = _outcome(request)
        if outcome is not None:
            _close(request, actor, approved=outcome)
    return request


def _outcome(request: GrantRequest) -> bool | None:
    """True (granted), False (refused) or None (still open)."""
    decisions = list(request.decisions.all())
    if request.route == GrantRequest.Route.SMALL:
        if any(not d.approve for d in decisions):
            return False
        capacities = {d.capacity for d in decisions if d.approve}
        if {Decision.Capacity.RESIDENT, Decision.Capacity.PROFESSIONAL} <= capacities:
            return True
        return None
    eligible = [
        m for m in panel_members(request.area) if not is_involved_in(m.user, request.initiative)
    ]
    majority = len(eligible) // 2 + 1
    yes = sum(1 for d in decisions if d.approve)
    no = sum(1 for d in decisions if not d.approve)
    if yes >= majority:
        return True
    if no >= majority or yes + no >= len(eligible):
        return False  # a no majority, or everyone decided without a yes majority
    return None


def published_reasons(request: GrantRequest) -> str:
    lines = []
    for number, decision in enumerate(request.decisions.order_by("decided_at", "pk"), start=1):
        verdict = _("ja") if decision.approve else _("nee")
        lines.append(f"{number}. {decision.get_capacity_display()} ({verdict}): {decision.reason}")
    return "\n".join(lines)


def _initiative_account(initiative: Initiative) -> Account:
    if initiative.account_id is not None:
        assert initiative.account is not None
        return initiative.account
    account = ledger.get_or_create_account(
        initiative,
        "grants",
        Unit.EUR,
        name=_("Initiatief %(name)s (#%(id)s)")
        % {"name": initiative.name[:80], "id": initiative.pk},
    )
    initiative.account = account
    Initiative.objects.filter(pk=initiative.pk).update(account=account)
    return account


def pay_out(request: GrantRequest, actor: Any) -> None:
    """Move the money from the line to the initiative's account (inside the caller's
    transaction); records the host that holds it."""
    line = request.line
    if line.account is None:
        raise ValidationError(_("Deze budgetregel heeft nog geen geld in het grootboek."))
    initiative = request.initiative
    host = initiative.host or settings_for(line).host
    if host is None:
        raise ValidationError(_("Er is geen gastorganisatie om het geld te beheren."))
    if initiative.host_id is None:
        initiative.host = host
        Initiative.objects.filter(pk=initiative.pk).update(host=host)
    try:
        txn = ledger.transfer(
            line.account,
            _initiative_account(initiative),
            request.amount_cents,
            kind=KIND_GRANT,
            description=describe(
                gettext_noop("Bijdrage aan initiatief %(name)s (aanvraag %(id)s)"),
                {"name": initiative.name[:200], "id": request.pk},
            ),
            actor=actor,
            idempotency_key=f"initiatives:grant:{request.pk}:payout",
            ref=request,
        )
    except LedgerError as error:
        raise ledger_error(error) from error
    request.payout = txn
    request.host = host


def _close(request: GrantRequest, actor: Any, *, approved: bool) -> None:
    request.reasons = published_reasons(request)
    request.decided_at = timezone.now()
    if approved:
        pay_out(request, actor)
        request.status = GrantRequest.Status.APPROVED
    else:
        request.status = GrantRequest.Status.REJECTED
    request.save(update_fields=["reasons", "decided_at", "payout", "host", "status"])
    if approved and request.need_id:
        Need.objects.filter(pk=request.need_id).update(status=Need.Status.MET)
    audit.record(
        actor,
        "initiatives.grant_granted" if approved else "initiatives.grant_refused",
        request,
        amount_cents=request.amount_cents,
        transaction=request.payout_id,
    )
    notify(
        _owners(request.initiative),
        gettext_noop("Besluit over uw aanvraag voor %(name)s"),
        "initiatives/email/grant_decided.txt",
        {
            "request": request,
            "initiative": request.initiative,
            "approved": approved,
            "amount": format_cents(request.amount_cents),
            "url": site_url(request.get_absolute_url()),
        },
        {"name": request.initiative.name},
    )


def requests_to_decide(user: Any) -> list[GrantRequest]:
    """Open requests ``user`` may decide on now."""
    if not getattr(user, "is_authenticated", False):
        return []
    open_requests = (
        GrantRequest.objects.filter(status=GrantRequest.Status.SUBMITTED)
        .exclude(decisions__decider=user)
        .select_related("initiative__area", "line__district_budget__district", "line__theme")
        .order_by("deadline", "pk")
    )
    return [r for r in open_requests[:500] if user.has_perm("initiatives.decide_grant", r)]


# --- The buurtjury ----------------------------------------------------------------------------


def _district(area: Area) -> Area:
    if area.level != Level.DISTRICT:
        raise ValidationError(_("Een buurtjury hoort bij een wijk."))
    return area


def panel_for(district: Area) -> Panel:
    panel, _created = Panel.objects.get_or_create(district=_district(district))
    return panel


def volunteer(district: Area, actor: Any) -> PanelVolunteer:
    """A resident of the district offers to decide on grants (and may be drawn for the
    panel)."""
    require(
        actor,
        "initiatives.volunteer",
        district,
        "initiatives.volunteer",
        _(
            "Alleen bewoners van deze wijk kunnen zich aanmelden, en pas als een professional "
            "of ambtenaar heeft bevestigd dat u hier woont."
        ),
    )
    found, _created = PanelVolunteer.objects.get_or_create(district=_district(district), user=actor)
    return found


def stop_volunteering(district: Area, actor: Any) -> None:
    if getattr(actor, "is_authenticated", False):
        PanelVolunteer.objects.filter(district=district, user=actor).delete()


def appoint_member(district: Area, actor: Any, user: User) -> PanelMember:
    """Appoint a resident of the district to the panel. Like volunteering and the lottery, this
    needs a *verified* resident of the district (:func:`is_verified_resident_of`)."""
    require(actor, "initiatives.manage_panel", district, "initiatives.panel_appoint")
    if not holds_role_in_district(user, district, RESIDENT_ROLES):
        raise ValidationError({"user": _("Alleen bewoners van de wijk kunnen in de buurtjury.")})
    if not is_verified_resident_of(user, district):
        raise ValidationError(
            {
                "user": _(
                    "Eerst moet een professional of ambtenaar bevestigen dat deze bewoner in de "
                    "wijk woont. Daarna kunt u hem of haar benoemen."
                )
            }
        )
    with transaction.atomic():
        panel = panel_for(district)
        lock(panel)
        active = panel.members.filter(until__isnull=True)
        if active.filter(user=user).exists():
            raise ValidationError({"user": _("Deze bewoner zit al in de buurtjury.")})
        if active.count() >= panel.size:
            raise ValidationError(
                {"user": _("De buurtjury is vol (%(n)s leden).") % {"n": panel.size}}
            )
        member = PanelMember.objects.create(
            panel=panel, user=user, how=PanelMember.How.APPOINTED, added_by=actor
        )
        audit.record(actor, "initiatives.panel_appoint", panel, user=user.pk)
    return member


def end_membership(member: PanelMember, actor: Any) -> None:
    require(actor, "initiatives.manage_panel", member.panel.district, "initiatives.panel_end")
    if member.until is None:
        member.until = timezone.now()
        member.save(update_fields=["until"])
        audit.record(actor, "initiatives.panel_end", member.panel, user=member.user_id)


def draw_members(district: Area, actor: Any, *, seed: str | None = None) -> PanelDraw:
    """Fill the empty seats of the panel by lot from the volunteers of the district. The seed,
    the candidates (sorted by id) and the result are kept, so anyone can repeat the draw."""
    require(actor, "initiatives.manage_panel", district, "initiatives.panel_draw")
    with transaction.atomic():
        panel = panel_for(district)
        lock(panel)
        active = set(panel.members.filter(until__isnull=True).values_list("user_id", flat=True))
        seats = panel.size - len(active)
        if seats <= 0:
            raise ValidationError(_("De buurtjury is al vol."))
        candidates = sorted(
            v.user_id
            for v in PanelVolunteer.objects.filter(district=district).select_related("user")
            if v.user_id not in active
            and v.user.is_active
            and is_verified_resident_of(v.user, district)
        )
        if not candidates:
            raise ValidationError(
                _("Er hebben zich nog geen bewoners aangemeld om mee te beslissen.")
            )
        seed = seed or secrets.token_hex(16)
        chosen = random.Random(seed).sample(candidates, min(seats, len(candidates)))  # noqa: S311
        PanelMember.objects.bulk_create(
            [
                PanelMember(panel=panel, user_id=uid, how=PanelMember.How.LOT, added_by=actor)
                for uid in chosen
            ]
        )
        draw = PanelDraw.objects.create(
            panel=panel, seed=seed, candidates=candidates, chosen=chosen, drawn_by=actor
        )
        audit.record(actor, "initiatives.panel_draw", panel, seed=seed, chosen=chosen)
    notify(
        User.objects.filter(pk__in=chosen),
        gettext_noop("U bent geloot voor de buurtjury van %(district)s"),
        "initiatives/email/panel_drawn.txt",
        {"district": district, "url": site_url(f"/initiatieven/wijk/{district.code}/buurtjury/")},
        {"district": district.name},
    )
    return draw


# --- Reminders --------------------------------------------------------------------------------


def send_reminders(
    today: datetime.date | None = None, *, days_before: int = REMIND_DAYS_BEFORE
) -> int:
    """Remind the deciders (and the initiators) of open requests whose deadline is at most
    ``days_before`` working days away, once per request. Returns the number of requests."""
    today = today or timezone.localdate()
    count = 0
    open_requests = GrantRequest.objects.filter(
        status=GrantRequest.Status.SUBMITTED, reminded_at__isnull=True
    ).select_related("initiative", "line__district_budget__district")
    for request in open_requests:
        if working_days_between(today, request.deadline) > days_before:
            continue
        with transaction.atomic():
            updated = GrantRequest.objects.filter(pk=request.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )
            if not updated:
                continue
            deciders = _deciders(request)
            decided = set(request.decisions.values_list("decider_id", flat=True))
            context = {
                "request": request,
                "initiative": request.initiative,
                "amount": format_cents(request.amount_cents),
                "url": site_url(request.get_absolute_url()),
                "overdue": request.deadline < today,
            }
            notify(
                [u for u in deciders if u.pk not in decided],
                gettext_noop("Herinnering: besluit over %(name)s vóór %(date)s"),
                "initiatives/email/grant_reminder.txt",
                context,
                {"name": request.initiative.name, "date": request.deadline.strftime("%d-%m-%Y")},
            )
            notify(
                _owners(request.initiative),
                gettext_noop("Uw aanvraag voor %(name)s: besluit uiterlijk %(date)s"),
                "initiatives/email/grant_reminder_owner.txt",
                context,
                {"name": request.initiative.name, "date": request.deadline.strftime("%d-%m-%Y")},
            )
            audit.record(None, "initiatives.grant_reminder", request)
        count += 1
    return count


OVERSEER_ROLES = (Role.PROFESSIONAL, Role.CIVIL_SERVANT)


def overdue_requests(user: Any, today: datetime.date | None = None) -> list[GrantRequest]:
    """Open requests whose deadline has passed, in the districts where ``user`` is a
    professional, civil servant or administrator (shown on the ``decisions`` page, so they can
    get the decision going)."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    late = (
        GrantRequest.objects.filter(status=GrantRequest.Status.SUBMITTED, deadline__lt=today)
        .select_related("initiative__area", "line__district_budget__district", "line__theme")
        .order_by("deadline", "pk")
    )
    roles = (*OVERSEER_ROLES, Role.ADMINISTRATOR)
    return [
        r for r in late[:500] if user.is_superuser or holds_role_in_district(user, r.area, roles)
    ]


def send_overdue_notices(today: datetime.date | None = None) -> int:
    """Once per request whose deadline has passed without a decision: e-mail the district's
    professionals and civil servants (not those involved in the initiative), so someone gets
    the decision going. Returns the number of requests."""
    today = today or timezone.localdate()
    count = 0
    late = GrantRequest.objects.filter(
        status=GrantRequest.Status.SUBMITTED, deadline__lt=today, escalated_at__isnull=True
    ).select_related("initiative", "line__district_budget__district")
    for request in late:
        with transaction.atomic():
            updated = GrantRequest.objects.filter(pk=request.pk, escalated_at__isnull=True).update(
                escalated_at=timezone.now()
            )
            if not updated:
                continue
            involved = involved_ids(request.initiative)
            notify(
                [
                    u
                    for u in district_member_users(request.area, OVERSEER_ROLES)
                    if u.pk not in involved
                ],
                gettext_noop("Te laat: nog geen besluit over %(name)s"),
                "initiatives/email/grant_overdue.txt",
                {
                    "request": request,
                    "initiative": request.initiative,
                    "amount": format_cents(request.amount_cents),
                    "url": site_url(request.get_absolute_url()),
                    "days": working_days_between(request.deadline, today),
                },
                {"name": request.initiative.name},
            )
            audit.record(None, "initiatives.grant_overdue", request)
        count += 1
    return count


def totals_by_status(initiative: Initiative) -> dict[str, int]:
    rows = (
        GrantRequest.objects.filter(initiative=initiative)
        .values("status")
        .annotate(total=Sum("amount_cents"))
    )
    return {r["status"]: int(r["total"] or 0) for r in rows}


def district_requests(district: Area) -> Iterable[GrantRequest]:
    return (
        GrantRequest.objects.filter(line__district_budget__district=district)
        .select_related("initiative", "line__theme")
        .order_by("-submitted_at")
    )
