"""Pages of the wijkbeeld: the whole picture, parts and their versions, conversation rounds,
organisations present, key people, and the printable PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buurtbasis.areas.models import Area, Level
from buurtbasis.places import selectors as place_selectors
from buurtbasis.places.forms import add_service_errors
from buurtbasis.places.printing import pdf_response, render_pdf

from . import selectors, services
from .forms import (
    CommentForm,
    IntroForm,
    KeyPersonConsentForm,
    KeyPersonForm,
    PartForm,
    PresenceForm,
    RoundForm,
)
from .models import ConversationRound, KeyPerson, Part, Presence, Wijkbeeld

#: How many places the places part lists (the places page has them all).
PLACES_SHOWN = 30
PLACES_PRINTED = 60


def _area(code: str) -> Area:
    areas = Area.objects.select_related("parent", "municipality")
    return get_object_or_404(areas, code=code.upper())


def _wijkbeeld(code: str) -> Wijkbeeld:
    area = _area(code)
    wijkbeeld = selectors.wijkbeeld_for(area)
    if wijkbeeld is None:
        raise Http404(_("Dit gebied heeft nog geen wijkbeeld."))
    return wijkbeeld


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def index(request: HttpRequest) -> HttpResponse:
    wijkbeelden = Wijkbeeld.objects.select_related("area", "area__parent").order_by("area__name")
    return render(request, "wijkbeeld/index.html", {"wijkbeelden": wijkbeelden})


def detail(request: HttpRequest, code: str) -> HttpResponse:
    area = _area(code)
    wijkbeeld = selectors.wijkbeeld_for(area)
    user = request.user
    if wijkbeeld is None:
        can_create = area.level in (Level.DISTRICT, Level.NEIGHBOURHOOD) and user.has_perm(
            "wijkbeeld.create", area
        )
        # Not an error: the area page links here for every district and neighbourhood, and
        # this page invites whoever may start the wijkbeeld to do so.
        return render(request, "wijkbeeld/missing.html", {"area": area, "can_create": can_create})
    parts = list(selectors.parts_with_comments(wijkbeeld))
    open_rounds = selectors.open_rounds(wijkbeeld)
    can_comment = user.has_perm("wijkbeeld.comment", wijkbeeld)
    for_others = user.has_perm("wijkbeeld.enter_for_others", wijkbeeld)
    for part in parts:
        part.can_change = user.has_perm("wijkbeeld.change_part", part)  # type: ignore[attr-defined]
    presence_list = selectors.presences(wijkbeeld)
    context: dict[str, Any] = {
        "area": area,
        "wijkbeeld": wijkbeeld,
        "parts": parts,
        "figures": selectors.figures(area),
        "places": list(place_selectors.places_in(area)[:PLACES_SHOWN]),
        "place_count": place_selectors.places_in(area).count(),
        "initiatives": selectors.initiatives(area, PLACES_SHOWN),
        "presences": presence_list,
        "presence_minutes": sum(p.minutes_per_week for p in presence_list),
        "key_people": services.visible_key_people(user, wijkbeeld),
        "rounds": selectors.rounds(wijkbeeld),
        "open_rounds": open_rounds,
        "comment_form": CommentForm(
            rounds=ConversationRound.objects.filter(pk__in=[r.pk for r in open_rounds]),
            for_others=for_others,
        )
        if (can_comment or for_others) and open_rounds
        else None,
        "can_see_names": user.has_perm("wijkbeeld.see_comment_names", wijkbeeld),
        "can_add_part": user.has_perm("wijkbeeld.add_part", wijkbeeld),
        "can_change_intro": user.has_perm("wijkbeeld.change_intro", wijkbeeld),
        "can_manage_rounds": user.has_perm("wijkbeeld.manage_rounds", wijkbeeld),
        "can_manage_presence": user.has_perm("wijkbeeld.manage_presence", wijkbeeld),
        "can_manage_key_people": user.has_perm("wijkbeeld.manage_key_people", wijkbeeld),
    }
    return render(request, "wijkbeeld/detail.html", context)


@login_required
@require_POST
def create(request: HttpRequest, code: str) -> HttpResponse:
    area = _area(code)
    try:
        wijkbeeld = services.create_wijkbeeld(request.user, area)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("wijkbeeld:detail", code=area.code)
    messages.success(request, _("Het wijkbeeld is begonnen. Voeg nu onderdelen toe."))
    return redirect(wijkbeeld)


@login_required
def edit_intro(request: HttpRequest, code: str) -> HttpResponse:
    wijkbeeld = _wijkbeeld(code)
    if not request.user.has_perm("wijkbeeld.change_intro", wijkbeeld):
        raise _deny(_("Alleen professionals en ambtenaren van dit gebied passen dit aan."))
    if request.method == "POST":
        form = IntroForm(request.POST)
        if form.is_valid():
            try:
                services.update_intro(request.user, wijkbeeld, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(wijkbeeld)
    else:
        form = IntroForm(initial={"title": wijkbeeld.title, "intro": wijkbeeld.intro})
    return render(
        request,
        "wijkbeeld/form.html",
        {"form": form, "wijkbeeld": wijkbeeld, "heading": _("Titel en inleiding")},
    )


@login_required
def part_add(request: HttpRequest, code: str) -> HttpResponse:
    wijkbeeld = _wijkbeeld(code)
    if not request.user.has_perm("wijkbeeld.add_part", wijkbeeld):
        raise _deny(_("Alleen bewoners en professionals van dit gebied schrijven mee."))
    if request.method == "POST":
        form = PartForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                part = services.add_part(
                    request.user,
                    wijkbeeld,
                    form.cleaned_data,
                    image=form.cleaned_data.get("image") or None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Het onderdeel is toegevoegd."))
                return redirect(part.get_absolute_url())
    else:
        form = PartForm(
            initial={"kind": request.GET.get("soort", ""), "written_on": timezone.localdate()}
        )
    return render(
        request,
        "wijkbeeld/form.html",
        {
            "form": form,
            "wijkbeeld": wijkbeeld,
            "heading": _("Onderdeel toevoegen"),
            "multipart": True,
        },
    )


@login_required
def part_edit(request: HttpRequest, pk: int) -> HttpResponse:
    part = get_object_or_404(Part.objects.select_related("wijkbeeld__area"), pk=pk)
    if not request.user.has_perm("wijkbeeld.change_part", part):
        raise _deny(_("Alleen de schrijver en professionals van dit gebied passen dit aan."))
    if request.method == "POST":
        form = PartForm(request.POST, request.FILES, editing=True)
        if form.is_valid():
            try:
                services.update_part(
                    request.user,
                    part,
                    form.cleaned_data,
                    image=form.cleaned_data.get("image") or None,
                    remove_image=request.POST.get("image-clear") == "on",
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Opgeslagen. De vorige versie blijft bewaard."))
                return redirect(part.get_absolute_url())
    else:
        form = PartForm(
            editing=True,
            initial={
                "title": part.title,
                "body": part.body,
                "written_on": part.written_on,
                "image_alt": part.image_alt,
            },
        )
    return render(
        request,
        "wijkbeeld/form.html",
        {
            "form": form,
            "wijkbeeld": part.wijkbeeld,
            "heading": _("%(title)s aanpassen") % {"title": part.title},
            "multipart": True,
        },
    )


def part_history(request: HttpRequest, pk: int) -> HttpResponse:
    part = get_object_or_404(Part.objects.select_related("wijkbeeld__area", "author"), pk=pk)
    return render(
        request,
        "wijkbeeld/history.html",
        {"part": part, "wijkbeeld": part.wijkbeeld, "versions": selectors.history(part)},
    )


def changes(request: HttpRequest, code: str) -> HttpResponse:
    wijkbeeld = _wijkbeeld(code)
    return render(
        request,
        "wijkbeeld/changes.html",
        {"wijkbeeld": wijkbeeld, "versions": selectors.timeline(wijkbeeld, limit=200)},
    )


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    part = get_object_or_404(Part.objects.select_related("wijkbeeld__area"), pk=pk)
    wijkbeeld = part.wijkbeeld
    for_others = request.user.has_perm("wijkbeeld.enter_for_others", wijkbeeld)
    form = CommentForm(
        request.POST, rounds=wijkbeeld.rounds.filter(is_open=True), for_others=for_others
    )
    if form.is_valid():
        try:
            services.add_comment(
                request.user,
                part,
                form.cleaned_data.get("round"),
                form.cleaned_data.get("body", ""),
                channel=form.cleaned_data.get("channel") or "online",
                author_name=form.cleaned_data.get("author_name", ""),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Dank u wel voor uw reactie."))
    else:
        messages.error(request, _("Uw reactie kon niet worden geplaatst. Kies een open ronde."))
    return redirect(part.get_absolute_url())


@login_required
def rounds(request: HttpRequest, code: str) -> HttpResponse:
    wijkbeeld = _wijkbeeld(code)
    can_manage = request.user.has_perm("wijkbeeld.manage_rounds", wijkbeeld)
    form = RoundForm()
    if request.method == "POST":
        if not can_manage:
            raise _deny(_("Alleen professionals en ambtenaren van dit gebied beginnen een ronde."))
        form = RoundForm(request.POST)
        if form.is_valid():
            try:
                services.open_round(request.user, wijkbeeld, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("De gespreksronde is geopend: reageren kan nu."))
                return redirect("wijkbeeld:rounds", code=wijkbeeld.area.code)
    return render(
        request,
        "wijkbeeld/rounds.html",
        {
            "wijkbeeld": wijkbeeld,
            "rounds": selectors.rounds(wijkbeeld),
            "form": form if can_manage else None,
        },
    )


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(
        ConversationRound.objects.select_related("wijkbeeld__area"), pk=pk
    )
    wijkbeeld = conversation.wijkbeeld
    comments = conversation.comments.select_related("part", "author").order_by(
        "part__position", "part_id", "created_at"
    )
    by_part: dict[Part, list[Any]] = {}
    for c in comments:
        by_part.setdefault(c.part, []).append(c)
    return render(
        request,
        "wijkbeeld/round_detail.html",
        {
            "round": conversation,
            "wijkbeeld": wijkbeeld,
            "by_part": list(by_part.items()),
            "can_see_names": request.user.has_perm("wijkbeeld.see_comment_names", wijkbeeld),
            "can_manage": request.user.has_perm("wijkbeeld.manage_rounds", wijkbeeld),
        },
    )


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(
        ConversationRound.objects.select_related("wijkbeeld__area"), pk=pk
    )
    services.close_round(request.user, conversation)
    messages.success(request, _("De gespreksronde is gesloten."))
    return redirect("wijkbeeld:round", pk=conversation.pk)


@login_required
def presence_form(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    wijkbeeld = _wijkbeeld(code)
    presence = get_object_or_404(Presence, pk=pk, wijkbeeld=wijkbeeld) if pk else None
    if not request.user.has_perm("wijkbeeld.manage_presence", wijkbeeld):
        raise _deny(_("Alleen professionals en ambtenaren van dit gebied passen dit aan."))
    if request.method == "POST":
        if request.POST.get("remove") == "1" and presence is not None:
            services.remove_presence(request.user, presence)
            messages.success(request, _("De organisatie is van de lijst gehaald."))
            return redirect(wijkbeeld.get_absolute_url() + "#aanwezig")
        form = PresenceForm(request.POST)
        if form.is_valid():
            try:
                services.save_presence(request.user, wijkbeeld, form.service_data(), presence)
            except ValidationError as exc:
                add_service_errors(form, exc)
                if "minutes_per_week" in exc.message_dict:
                    form.add_error("hours", exc.message_dict["minutes_per_week"])
            else:
                messages.success(request, _("Opgeslagen."))
                return redirect(wijkbeeld.get_absolute_url() + "#aanwezig")
    else:
        initial: dict[str, Any] = {}
        if presence is not None:
            initial = {
                "organisation_name": presence.organisation_name,
                "work": presence.work,
                "contact_name": presence.contact_name,
                "hours": presence.minutes_per_week / 60,
                "tie": presence.tie,
            }
        form = PresenceForm(initial=initial)
    return render(
        request,
        "wijkbeeld/form.html",
        {
            "form": form,
            "wijkbeeld": wijkbeeld,
            "heading": _("Organisatie of professional in de wijk"),
            "removable": presence is not None,
        },
    )


@login_required
def key_person_add(request: HttpRequest, code: str) -> HttpResponse:
    wijkbeeld = _wijkbeeld(code)
    if not request.user.has_perm("wijkbeeld.manage_key_people", wijkbeeld):
        raise _deny(_("Alleen professionals van dit gebied noemen sterkhouders."))
    people = services.key_person_candidates(wijkbeeld.area)
    if request.method == "POST":
        form = KeyPersonForm(request.POST, people=people)
        if form.is_valid():
            try:
                services.add_key_person(
                    request.user,
                    wijkbeeld,
                    form.cleaned_data.get("person"),
                    kind=form.cleaned_data.get("kind", ""),
                    description=form.cleaned_data.get("description", ""),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("De sterkhouder is toegevoegd."))
                return redirect(wijkbeeld.get_absolute_url() + "#sterkhouders")
    else:
        form = KeyPersonForm(people=people)
    return render(
        request,
        "wijkbeeld/form.html",
        {
            "form": form,
            "wijkbeeld": wijkbeeld,
            "heading": _("Sterkhouder noemen"),
            "aside_url": reverse("wijkbeeld:key_person_consent", args=[wijkbeeld.area.code]),
            "aside_label": _("Toestemming op papier of telefonisch vastleggen"),
            "explain": _(
                "Noem iemand alleen als hij of zij dat zelf goed vindt. Die toestemming staat "
                "bij de persoon zelf; zonder toestemming wordt niemand genoemd. Sterkhouders "
                "zijn alleen zichtbaar voor ingelogde bewoners en professionals van het gebied."
            ),
        },
    )


@login_required
def key_person_consent(request: HttpRequest, code: str) -> HttpResponse:
    """A professional of the area records a key person's consent (or its withdrawal) given on
    paper or by phone."""
    wijkbeeld = _wijkbeeld(code)
    if not request.user.has_perm("wijkbeeld.manage_key_people", wijkbeeld):
        raise _deny(_("Alleen professionals van dit gebied leggen deze toestemming vast."))
    people = services.key_person_candidates(wijkbeeld.area)
    form = KeyPersonConsentForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_key_person_consent(
                request.user,
                wijkbeeld,
                data.get("person"),
                given=data["given"],
                method=data.get("method", ""),
                note=data.get("note", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("De toestemming is vastgelegd.")
                if data["given"]
                else _("De toestemming is ingetrokken. Deze persoon wordt niet meer genoemd."),
            )
            return redirect(wijkbeeld.get_absolute_url() + "#sterkhouders")
    return render(
        request,
        "wijkbeeld/form.html",
        {
            "form": form,
            "wijkbeeld": wijkbeeld,
            "heading": _("Toestemming van een sterkhouder vastleggen"),
            "explain": _(
                "Gaf iemand op papier of aan de telefoon toestemming om als sterkhouder genoemd "
                "te worden, of trekt hij of zij die in? Leg het hier vast. Het komt bij de "
                "toestemmingen van de persoon zelf, met uw naam erbij."
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def key_person_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(KeyPerson.objects.select_related("wijkbeeld__area"), pk=pk)
    services.remove_key_person(request.user, entry)
    messages.success(request, _("De sterkhouder is van de lijst gehaald."))
    return redirect(entry.wijkbeeld.get_absolute_url() + "#sterkhouders")


def pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The whole picture as a PDF (without key people: those stay online, for members)."""
    wijkbeeld = _wijkbeeld(code)
    area = wijkbeeld.area
    presence_list = selectors.presences(wijkbeeld)
    context = {
        "wijkbeeld": wijkbeeld,
        "area": area,
        "parts": list(selectors.parts_with_comments(wijkbeeld)),
        "figures": selectors.figures(area),
        "places": list(place_selectors.places_in(area)[:PLACES_PRINTED]),
        "place_count": place_selectors.places_in(area).count(),
        "initiatives": selectors.initiatives(area, PLACES_PRINTED),
        "presences": presence_list,
        "presence_minutes": sum(p.minutes_per_week for p in presence_list),
        "rounds": selectors.rounds(wijkbeeld),
        "printed_on": timezone.localdate(),
    }
    return pdf_response(
        render_pdf("wijkbeeld/print/wijkbeeld.html", context, request), wijkbeeld.title
    )
