"""Pages for places: list and map per area, a place, adding and keeping, poster and card."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buurtbasis.areas.models import Area, Level

from . import selectors, services
from .forms import AreaContactForm, PlaceForm, add_service_errors
from .models import Kind, Place
from .printing import pdf_response, render_pdf


def _area(code: str) -> Area:
    return get_object_or_404(
        Area.objects.select_related("parent", "municipality"), code=code.upper()
    )


def _neighbourhoods(area: Area) -> QuerySet[Area]:
    if area.level == Level.NEIGHBOURHOOD:
        return Area.objects.filter(pk=area.pk)
    if area.level == Level.DISTRICT:
        return Area.objects.filter(parent=area, level=Level.NEIGHBOURHOOD).order_by("name")
    return Area.objects.filter(municipality=area, level=Level.NEIGHBOURHOOD).order_by("name")


#: Places per page of the list (and the map shows the same places).
PAGE_SIZE = 100


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("pagina", None)
    return query.urlencode()


def area_places(request: HttpRequest, code: str) -> HttpResponse:
    """List (first) and map of the places in a neighbourhood, district or municipality."""
    area = _area(code)
    places = selectors.places_in(area)
    kind = request.GET.get("soort", "")
    if kind in Kind.values:
        places = places.filter(kind=kind)
    else:
        kind = ""
    if request.GET.get("inloop") == "1":
        places = places.filter(drop_in=True)
    page = Paginator(places, PAGE_SIZE).get_page(request.GET.get("pagina"))
    place_list = list(page.object_list)
    detail = reverse("places:detail", kwargs={"pk": 0}).replace("/0/", "/{}/")
    for place in place_list:
        place.url = detail.format(place.pk)
    can_add = any(request.user.has_perm("places.add_place", n) for n in _neighbourhoods(area)[:50])
    return render(
        request,
        "places/area_places.html",
        {
            "area": area,
            "places": place_list,
            "page": page,
            "query": _query_without_page(request),
            "map_data": selectors.map_data(area, place_list),
            "kinds": Kind.choices,
            "kind": kind,
            "drop_in": request.GET.get("inloop") == "1",
            "can_add": can_add,
            "can_change_contact": request.user.has_perm("places.change_contact", area),
            "contact": selectors.contact_for(area),
            "children": list(area.children.order_by("name")) if area.level != "BU" else [],
        },
    )


def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Place.objects.select_related("area", "area__parent"), pk=pk)
    user = request.user
    is_keeper = user.is_authenticated and place.keeper_links.filter(user_id=user.pk).exists()
    return render(
        request,
        "places/place_detail.html",
        {
            "place": place,
            "area": place.area,
            "keepers": [link.user for link in place.keeper_links.select_related("user")],
            "is_keeper": is_keeper,
            "can_change": user.has_perm("places.change_place", place),
            "can_keep": not is_keeper and user.has_perm("places.keep_place", place),
            "map_data": selectors.map_data(None, [place]),
        },
    )


@login_required
def place_create(request: HttpRequest, code: str) -> HttpResponse:
    area = _area(code)
    neighbourhoods = _neighbourhoods(area)
    allowed = [n.pk for n in neighbourhoods if request.user.has_perm("places.add_place", n)]
    if not allowed:
        raise PermissionDenied(
            _("Alleen bewoners en professionals van deze buurt voegen plekken toe.")
        )
    choices = Area.objects.filter(pk__in=allowed).order_by("name")
    if request.method == "POST":
        form = PlaceForm(request.POST, request.FILES, areas=choices)
        if form.is_valid():
            try:
                place = services.create_place(
                    request.user,
                    form.cleaned_data.get("area"),
                    form.service_data(),
                    photo=form.cleaned_data.get("photo"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("De plek is toegevoegd. Dank je wel!"))
                return redirect(place)
    else:
        form = PlaceForm(areas=choices, initial={"area": choices.first(), "is_active": True})
    return render(request, "places/place_form.html", {"form": form, "area": area, "place": None})


@login_required
def place_edit(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Place.objects.select_related("area"), pk=pk)
    if not request.user.has_perm("places.change_place", place):
        raise PermissionDenied(
            _("Alleen de bijhouders en professionals van deze buurt passen dit aan.")
        )
    choices = Area.objects.filter(
        municipality_id=place.area.municipality_id, level=Level.NEIGHBOURHOOD
    ).order_by("name")
    if request.method == "POST":
        form = PlaceForm(request.POST, request.FILES, areas=choices)
        if form.is_valid():
            try:
                services.update_place(
                    request.user,
                    place,
                    form.service_data() | {"area": form.cleaned_data.get("area") or place.area},
                    photo=form.cleaned_data.get("photo"),
                    remove_photo=request.POST.get("photo-clear") == "on",
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("De plek is bijgewerkt."))
                return redirect(place)
    else:
        form = PlaceForm(areas=choices, initial=PlaceForm.initial_from(place))
    return render(
        request, "places/place_form.html", {"form": form, "area": place.area, "place": place}
    )


@login_required
@require_POST
def place_keep(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Place.objects.select_related("area"), pk=pk)
    if request.POST.get("stop") == "1":
        services.stop_keeping(request.user, place)
        messages.success(request, _("U houdt deze plek niet meer bij."))
    else:
        services.keep_place(request.user, place)
        messages.success(request, _("U helpt nu deze plek bijhouden."))
    return redirect(place)


@login_required
def area_contact(request: HttpRequest, code: str) -> HttpResponse:
    area = _area(code)
    if not request.user.has_perm("places.change_contact", area):
        raise PermissionDenied(_("Alleen professionals van deze buurt passen het contact aan."))
    contact = getattr(area, "print_contact", None)
    if request.method == "POST":
        form = AreaContactForm(request.POST)
        if form.is_valid():
            try:
                services.set_area_contact(request.user, area, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Het contact voor poster en kaart is opgeslagen."))
                return redirect("places:area", code=area.code)
    else:
        initial = (
            {f: getattr(contact, f) for f in ("name", "organisation", "phone", "walk_in", "note")}
            if contact
            else {}
        )
        form = AreaContactForm(initial=initial)
    return render(request, "places/area_contact.html", {"form": form, "area": area})


#: An A6 card has room for this many lines; the poster lists them all.
CARD_ITEMS = 9


def _print_context(area: Area) -> dict[str, object]:
    return {
        "area": area,
        "contact": selectors.contact_for(area),
        "printed_on": timezone.localdate(),
        **selectors.print_places(area),
    }


def poster_density(entries: int) -> str:
    """The poster's type size class: more entries, smaller type, so it stays one A4 page."""
    if entries > 8:
        return "denser"
    if entries > 4:
        return "dense"
    return ""


def poster_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """A4 poster "Wat is er te doen in de buurt" (public: for the notice board), one page."""
    area = _area(code)
    context = _print_context(area)
    context["density"] = poster_density(
        len(context["activities"]) + len(context["places"])  # type: ignore[arg-type]
    )
    pdf = render_pdf("places/print/poster.html", context, request)
    return pdf_response(pdf, f"poster-{area.name}")


def card_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """A6 card for every letterbox (public)."""
    area = _area(code)
    context = _print_context(area)
    items = [*context["activities"], *context["places"]]  # type: ignore[misc]
    context["card_items"] = items[:CARD_ITEMS]
    context["more_count"] = max(0, len(items) - CARD_ITEMS) + context["left_out"]  # type: ignore[operator]
    pdf = render_pdf("places/print/card.html", context, request)
    return pdf_response(pdf, f"kaart-{area.name}")
