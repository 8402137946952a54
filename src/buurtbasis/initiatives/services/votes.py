"""The neighbourhood vote, an optional instrument per budget line.

Any resident of the district puts an initiative on the ballot (no municipal pre-selection;
removal only for legality, with the reason published). Residents of the district vote with
approval ballots, one each (membership-verified); a professional may enter an assisted or paper
ballot for a resident, recorded as such. The count uses the Method of Equal Shares with the Add1
completion (:mod:`buurtbasis.initiatives.equal_shares`); the greedy "most votes" result is kept
beside it. The winners are paid from the line like granted requests.

Secrecy: who voted (:class:`VoterRecord`) and what was voted (:class:`Ballot`) are separate
tables with nothing in common but a keyed hash only the server can compute for a given person:
:func:`voter_key`. See docs/initiatives.md.

Ties are broken by: lower amount first, then more approvals, then the earlier nomination.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from buurtbasis.accounts import services as accounts
from buurtbasis.accounts.models import Membership, Role, User
from buurtbasis.budgets.models import BudgetFramework, BudgetLine
from buurtbasis.core import audit
from buurtbasis.ledger.money import format_cents

from .. import equal_shares
from ..models import (
    Ballot,
    BallotMethod,
    GrantRequest,
    Initiative,
    Vote,
    VoteOption,
    VoterRecord,
)
from ..rules import RESIDENT_ROLES, district_of, holds_role_in_district, is_verified_resident_of
from .common import cents, lock, notify, require, site_url, text
from .grants import available_cents, line_balance, pay_out, reserved_cents, settings_for

BALLOT_SALT = "buurtbasis.initiatives.ballot"


def voter_key(vote: Vote, user: Any) -> str:
    """The keyed hash linking a person to their own ballot (HMAC-SHA256 with the site's secret
    key). Without the secret key it cannot be computed, so the ballots alone are anonymous."""
    return salted_hmac(BALLOT_SALT, f"{vote.pk}:{user.pk}", algorithm="sha256").hexdigest()


# --- Setting up -------------------------------------------------------------------------------


def create_vote(
    line: BudgetLine,
    actor: Any,
    *,
    title: str,
    budget_cents: int,
    description: str = "",
    utility: str = Vote.Utility.COST,
    increment_cents: int = 100,
    closes_on: datetime.date | None = None,
) -> Vote:
    """A vote on (part of) the line's money. The line must have the vote switched on."""
    require(actor, "initiatives.manage_vote", line, "initiatives.vote_create")
    if not settings_for(line).vote_enabled:
        raise ValidationError(
            _("Voor deze budgetregel staat de buurtstemming niet aan (zie de instellingen).")
        )
    if line.district_budget.framework.status != BudgetFramework.Status.ADOPTED:
        raise ValidationError(_("Dit budget is nog niet vastgesteld."))
    clean_title = text(title, "title", max_length=200, label=_("een titel"))
    budget = cents(budget_cents, "budget_cents", label=_("Het bedrag"))
    if utility not in Vote.Utility.values:
        raise ValidationError({"utility": _("Kies hoe een stem telt.")})
    if not isinstance(increment_cents, int) or not 1 <= increment_cents <= 100_00:
        raise ValidationError({"increment_cents": _("Kies een stap tussen 1 cent en € 100.")})
    with transaction.atomic():
        lock(line)
        available = available_cents(line)
        if budget > available:
            raise ValidationError(
                {
                    "budget_cents": _(
                        "Er is nog %(left)s beschikbaar in deze budgetregel; u wilt %(amount)s "
                        "laten verdelen."
                    )
                    % {"left": format_cents(available), "amount": format_cents(budget)}
                },
                code="over_budget",
            )
        vote = Vote.objects.create(
            line=line,
            title=clean_title,
            description=str(description or "").strip()[:4000],
            budget_cents=budget,
            utility=utility,
            increment_cents=increment_cents,
            closes_on=closes_on,
            created_by=actor,
        )
        audit.record(actor, "initiatives.vote_create", vote, budget_cents=budget, line=line.pk)
    return vote


def nominate(
    vote: Vote, actor: Any, initiative: Initiative, *, amount_cents: int, summary: str
) -> VoteOption:
    """Put an initiative of the district on the ballot (any resident of the district)."""
    require(
        actor,
        "initiatives.nominate",
        vote,
        "initiatives.vote_nominate",
        _(
            "Alleen bewoners van de wijk zetten initiatieven op de stemlijst, en pas als een "
            "professional of ambtenaar heeft bevestigd dat u hier woont."
        ),
    )
    if vote.status != Vote.Status.NOMINATING:
        raise ValidationError(_("Aanmelden kan niet meer: de stemming is al begonnen."))
    if initiative.area.parent_id != vote.area.pk:
        raise ValidationError({"initiative": _("Dit initiatief is niet in deze wijk.")})
    if initiative.state == Initiative.State.ENDED:
        raise ValidationError({"initiative": _("Dit initiatief is afgerond.")})
    amount = cents(amount_cents, "amount_cents", label=_("Het bedrag"))
    if amount > vote.budget_cents:
        raise ValidationError(
            {
                "amount_cents": _("Dit is meer dan de hele stemming verdeelt (%(budget)s).")
                % {"budget": format_cents(vote.budget_cents)}
            }
        )
    clean = text(summary, "summary", max_length=300, label=_("waarvoor het geld is"))
    try:
        with transaction.atomic():
            option = VoteOption.objects.create(
                vote=vote,
                initiative=initiative,
                amount_cents=amount,
                summary=clean,
                nominated_by=actor,
            )
            audit.record(actor, "initiatives.vote_nominate", vote, option=option.pk)
    except IntegrityError:
        raise ValidationError(
            {"initiative": _("Dit initiatief staat al op de stemlijst.")}
        ) from None
    return option


def remove_option(option: VoteOption, actor: Any, *, reason: str) -> VoteOption:
    """Take an initiative off the ballot because it is not legal; the reason is published."""
    require(actor, "initiatives.manage_vote", option.vote, "initiatives.vote_remove")
    if option.vote.status in (Vote.Status.CLOSED, Vote.Status.COUNTED):
        raise ValidationError(_("De stemming is al gesloten."))
    if option.is_removed:
        raise ValidationError(_("Dit initiatief is al van de stemlijst gehaald."))
    clean = text(
        reason, "reason", max_length=2000, label=_("waarom het niet mag (dit wordt openbaar)")
    )
    with transaction.atomic():
        option.removed_at = timezone.now()
        option.removed_by = actor
        option.removal_reason = clean
        option.save(update_fields=["removed_at", "removed_by", "removal_reason"])
        audit.record(actor, "initiatives.vote_remove", option.vote, option=option.pk)
    initiative = option.initiative
    notify(
        [o.user for o in initiative.owners.select_related("user")],
        gettext_noop("%(name)s staat niet meer op de stemlijst"),
        "initiatives/email/option_removed.txt",
        {
            "option": option,
            "initiative": initiative,
            "vote": option.vote,
            "url": site_url(option.vote.get_absolute_url()),
        },
        {"name": initiative.name},
    )
    return option


def _set_status(vote: Vote, actor: Any, status: str, allowed_from: Iterable[str]) -> Vote:
    require(actor, "initiatives.manage_vote", vote, "initiatives.vote_status")
    with transaction.atomic():
        lock(vote)
        vote.refresh_from_db()
        if vote.status not in allowed_from:
            raise ValidationError(_("Dat kan nu niet bij deze stemming."))
        if status == Vote.Status.OPEN and not vote.options.filter(removed_at__isnull=True).exists():
            raise ValidationError(_("Er staat nog geen initiatief op de stemlijst."))
        vote.status = status
        vote.save(update_fields=["status"])
        if status == Vote.Status.CLOSED:
            _shuffle_ballots(vote)
        audit.record(actor, "initiatives.vote_status", vote, status=status)
    return vote


def _shuffle_ballots(vote: Vote) -> None:
    """Write the ballots again, in a random order and with new random ids (inside the closing
    transaction): their physical order in the database (SQLite's rowid, PostgreSQL's heap)
    then no longer follows the order of voting, which the voter records and the audit log
    show."""
    rows = list(Ballot.objects.filter(vote=vote).values_list("voter_key", "approvals", "shares"))
    secrets.SystemRandom().shuffle(rows)
    Ballot.objects.filter(vote=vote).delete()
    Ballot.objects.bulk_create(
        [Ballot(vote=vote, voter_key=key, approvals=a, shares=s) for key, a, s in rows],
        batch_size=500,
    )


def open_vote(vote: Vote, actor: Any) -> Vote:
    """Start the voting; the district's verified residents who did not opt out of e-mail hear
    of it."""
    _set_status(vote, actor, Vote.Status.OPEN, [Vote.Status.NOMINATING])
    notify(
        vote_invitees(vote),
        gettext_noop("Stem mee: %(title)s"),
        "initiatives/email/vote_opened.txt",
        {"vote": vote, "url": site_url(vote.get_absolute_url())},
        {"title": vote.title},
    )
    return vote


def vote_invitees(vote: Vote) -> list[User]:
    """Who is told that a vote opens: the verified residents of the district (its
    neighbourhoods, the district itself), active, without a withdrawn ``contact_by_email``
    consent."""
    district = vote.area
    people = list(
        User.objects.filter(
            Q(memberships__area=district) | Q(memberships__area__parent=district),
            memberships__role=Role.RESIDENT,
            memberships__verified_at__isnull=False,
            is_active=True,
        ).distinct()
    )
    opted_out = accounts.email_opt_outs(u.pk for u in people)
    return [u for u in people if u.pk not in opted_out]


def close_vote(vote: Vote, actor: Any) -> Vote:
    return _set_status(vote, actor, Vote.Status.CLOSED, [Vote.Status.OPEN])


# --- Voting -----------------------------------------------------------------------------------


def _options(vote: Vote, option_ids: Iterable[int]) -> list[int]:
    wanted = sorted({int(i) for i in option_ids})
    if not wanted:
        raise ValidationError(_("Kies minstens één initiatief."), code="empty")
    valid = set(
        vote.options.filter(pk__in=wanted, removed_at__isnull=True).values_list("pk", flat=True)
    )
    if len(valid) != len(wanted):
        raise ValidationError(_("U koos iets dat niet op deze stemlijst staat."), code="unknown")
    return wanted


def is_past_closing(vote: Vote, today: datetime.date | None = None) -> bool:
    """The closing date (``closes_on``, inclusive) has passed: no more ballots."""
    return vote.closes_on is not None and (today or timezone.localdate()) > vote.closes_on


def ballot_box_open(vote: Vote) -> bool:
    """Ballots are taken now: the vote is open and its closing date has not passed."""
    return vote.status == Vote.Status.OPEN and not is_past_closing(vote)


def _record(vote: Vote, voter: Any, approvals: list[int], method: str, entered_by: Any) -> None:
    try:
        with transaction.atomic():
            lock(vote)
            vote.refresh_from_db()
            if vote.status != Vote.Status.OPEN:
                raise ValidationError(_("Stemmen kan nu niet: de stemming is niet open."))
            if is_past_closing(vote):
                raise ValidationError(
                    _("Stemmen kon tot en met %(date)s; de stemming is voorbij.")
                    % {"date": vote.closes_on.strftime("%d-%m-%Y")},  # type: ignore[union-attr]
                    code="closed",
                )
            VoterRecord.objects.create(vote=vote, user=voter, method=method, entered_by=entered_by)
            Ballot.objects.create(vote=vote, voter_key=voter_key(vote, voter), approvals=approvals)
            # The audit says that someone voted, never what.
            audit.record(
                entered_by or voter,
                "initiatives.ballot",
                vote,
                method=method,
                voter=voter.pk,
            )
    except IntegrityError:
        raise ValidationError(
            _("Er is al gestemd voor deze persoon: iedereen stemt één keer."), code="twice"
        ) from None


def cast_ballot(vote: Vote, actor: Any, option_ids: Iterable[int]) -> None:
    """A resident of the district votes online for one or more initiatives."""
    if not holds_role_in_district(actor, vote.area, RESIDENT_ROLES):
        audit.record(actor, "initiatives.ballot", vote, result="denied")
        raise PermissionDenied(
            _(
                "Alleen bewoners van %(district)s stemmen mee. Woont u hier? Geef dan uw "
                "buurt op in uw profiel."
            )
            % {"district": vote.area.name}
        )
    if not is_verified_resident_of(actor, vote.area):
        audit.record(actor, "initiatives.ballot", vote, result="denied", unverified=True)
        raise PermissionDenied(
            _(
                "U kunt nog niet stemmen: een professional of ambtenaar van uw buurt moet eerst "
                "bevestigen dat u hier woont. Vraag het bijvoorbeeld in het buurthuis."
            )
        )
    require(actor, "initiatives.cast_ballot", vote, "initiatives.ballot")
    approvals = _options(vote, option_ids)
    _record(vote, actor, approvals, BallotMethod.ONLINE, None)


def enter_paper_ballot(
    vote: Vote, actor: Any, voter: User, option_ids: Iterable[int], *, method: str
) -> None:
    """A professional of the district enters the ballot of a resident (assisted, or from
    paper); it is recorded as such. It also counts as the professional's confirmation that the
    resident lives there (``accounts.services.verify_resident``, in the same transaction)."""
    require(
        actor,
        "initiatives.enter_paper_ballot",
        vote,
        "initiatives.ballot",
        _("Alleen professionals van de wijk voeren stemmen op papier in."),
    )
    if method not in (BallotMethod.ASSISTED, BallotMethod.PAPER):
        raise ValidationError(_("Kies: met hulp, of op papier."))
    if not holds_role_in_district(voter, vote.area, RESIDENT_ROLES):
        raise ValidationError(
            {"voter": _("Deze persoon woont volgens Buurtbasis niet in deze wijk.")}
        )
    approvals = _options(vote, option_ids)
    with transaction.atomic():
        if not is_verified_resident_of(voter, vote.area):
            _verify_by(actor, voter, vote.area)
        _record(vote, voter, approvals, method, actor)


def _verify_by(actor: Any, voter: User, district: Any) -> None:
    """The professional entering a ballot confirms where the voter lives."""
    homes = Membership.objects.filter(
        user=voter, role=Role.RESIDENT, verified_at__isnull=True
    ).select_related("area", "user")
    for membership in homes:
        if district_of(membership.area) == district and actor.has_perm(
            "accounts.verify_resident", membership
        ):
            accounts.verify_resident(membership, actor=actor)
            return
    raise ValidationError(
        {
            "voter": _(
                "U kunt niet bevestigen dat deze persoon hier woont (u werkt niet in die buurt). "
                "Vraag een collega van die buurt."
            )
        }
    )


def has_voted(vote: Vote, user: Any) -> bool:
    return my_voter_record(vote, user) is not None


def my_voter_record(vote: Vote, user: Any) -> VoterRecord | None:
    """That the signed-in person voted, and how (online, assisted, paper)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return VoterRecord.objects.filter(vote=vote, user=user).first()


def my_ballot(vote: Vote, user: Any) -> Ballot | None:
    """The signed-in voter's own ballot (found by the keyed hash)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Ballot.objects.filter(vote=vote, voter_key=voter_key(vote, user)).first()


# --- Counting ---------------------------------------------------------------------------------


def tie_break_order(options: list[VoteOption], approvals: dict[int, int]) -> list[int]:
    """Lower amount first, then more approvals, then the earlier nomination."""
    return [
        o.pk for o in sorted(options, key=lambda o: (o.amount_cents, -approvals.get(o.pk, 0), o.pk))
    ]


def _round_half_up(value: Fraction) -> int:
    return int((value * 2 + 1) // 2)


def count_vote(vote: Vote, actor: Any) -> Vote:
    """Count a closed vote: the Method of Equal Shares (Add1 completion, one step =
    ``increment_cents`` per voter) decides; the greedy result is kept beside it. The winners
    are paid from the line. Each ballot gets what its voter's share paid for each winner."""
    require(actor, "initiatives.manage_vote", vote, "initiatives.vote_count")
    with transaction.atomic():
        lock(vote)
        vote.refresh_from_db()
        if vote.status != Vote.Status.CLOSED:
            raise ValidationError(_("Sluit de stemming eerst; dan kan de uitslag worden berekend."))
        options = list(vote.options.filter(removed_at__isnull=True).select_related("initiative"))
        ballots = list(vote.ballots.all())
        live = {o.pk for o in options}
        approvals_of = [[a for a in b.approvals if a in live] for b in ballots]
        votes = dict.fromkeys(live, 0)
        for approved in approvals_of:
            for option_id in approved:
                votes[option_id] += 1
        order = tie_break_order(options, votes)
        election = equal_shares.Election(
            budget=vote.budget_cents,
            costs={o.pk: o.amount_cents for o in options},
            ballots=approvals_of,
        )
        result = equal_shares.equal_shares(
            election,
            utility=equal_shares.Utility(vote.utility),
            increment=vote.increment_cents,
            tie_break=order,
            with_payments=True,
        )
        greedy = equal_shares.greedy(election, tie_break=order)
        rounds = {option_id: number for number, option_id in enumerate(result.winners, start=1)}
        winners = [o for o in options if o.pk in rounds]
        line = vote.line
        rules = settings_for(line)
        missing_host = [o for o in winners if o.initiative.host_id is None and rules.host is None]
        if missing_host:
            raise ValidationError(
                _("Stel eerst een gastorganisatie in bij de budgetregel: die beheert het geld.")
            )
        balance = line_balance(line) - reserved_cents(line, exclude_vote=vote)
        if int(result.total_cost) > balance:
            raise ValidationError(
                _("Er is niet genoeg geld meer in de budgetregel om de winnaars te betalen.")
            )
        now = timezone.now()
        for option in options:
            option.approvals = votes[option.pk]
            option.mes_selected = option.pk in rounds
            option.mes_round = rounds.get(option.pk)
            option.greedy_selected = option.pk in greedy.winners
        for option in sorted(winners, key=lambda o: rounds[o.pk]):
            grant = GrantRequest.objects.create(
                initiative=option.initiative,
                line=line,
                amount_cents=option.amount_cents,
                why=option.summary,
                for_whom=_("De buurt, via de buurtstemming %(title)s") % {"title": vote.title},
                route=GrantRequest.Route.VOTE,
                submitted_by=option.nominated_by,
                deadline=timezone.localdate(),
                decided_at=now,
                reasons=_(
                    "Gekozen in de buurtstemming %(title)s met de methode van gelijke delen "
                    "(ronde %(round)s)."
                )
                % {"title": vote.title, "round": rounds[option.pk]},
            )
            pay_out(grant, actor)
            grant.status = GrantRequest.Status.APPROVED
            grant.save(update_fields=["payout", "host", "status"])
            option.grant = grant
        VoteOption.objects.bulk_update(
            options, ["approvals", "mes_selected", "mes_round", "greedy_selected", "grant"]
        )
        for number, ballot in enumerate(ballots):
            paid = result.payments(number)
            ballot.shares = {str(k): _round_half_up(v) for k, v in paid.items() if v}
        Ballot.objects.bulk_update(ballots, ["shares"], batch_size=500)
        vote.status = Vote.Status.COUNTED
        vote.counted_at = now
        vote.voters = len(ballots)
        vote.per_voter_budget = str(result.per_voter_budget)
        vote.mes_runs = result.runs
        vote.mes_total_cents = int(result.total_cost)
        vote.greedy_total_cents = int(greedy.total_cost)
        vote.save()
        audit.record(
            actor,
            "initiatives.vote_count",
            vote,
            winners=[o.pk for o in winners],
            mes_total_cents=vote.mes_total_cents,
            greedy_winners=list(greedy.winners),
            voters=len(ballots),
        )
    owners = {
        u for o in winners for u in (x.user for x in o.initiative.owners.select_related("user"))
    }
    notify(
        owners,
        gettext_noop("Uitslag van de buurtstemming %(title)s"),
        "initiatives/email/vote_counted.txt",
        {"vote": vote, "url": site_url(vote.get_absolute_url())},
        {"title": vote.title},
    )
    return vote


# --- Reading the result -----------------------------------------------------------------------


@dataclass
class ShareRow:
    option: VoteOption
    cents: int


def my_shares(vote: Vote, user: Any) -> tuple[Ballot | None, list[ShareRow]]:
    """What the voter's own share helped fund (only for the voter)."""
    ballot = my_ballot(vote, user)
    if ballot is None or vote.status != Vote.Status.COUNTED:
        return ballot, []
    options = {o.pk: o for o in vote.options.select_related("initiative")}
    rows = [
        ShareRow(options[int(k)], int(v))
        for k, v in sorted(ballot.shares.items(), key=lambda kv: -int(kv[1]))
        if int(k) in options
    ]
    return ballot, rows


def per_voter_euros(vote: Vote) -> int | None:
    """Each voter's share in the final count, in whole cents (rounded)."""
    if not vote.per_voter_budget:
        return None
    return _round_half_up(Fraction(vote.per_voter_budget))
