"""Pages of neighbour help. Views stay thin: parse a form, call a service, show the result."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from buurtbasis.accounts.models import User
from buurtbasis.areas.models import Area, Level
from buurtbasis.core.views import ratelimited as ratelimited_page

from . import geo, pdf, services
from .conf import setting
from .forms import (
    AddHelperForm,
    AwardForm,
    DecideForm,
    MessageForm,
    OnBehalfPostForm,
    PostForm,
    ProfileForm,
    ReportForm,
    ThanksForm,
    apply_errors,
    mask_to_moments,
)
from .models import (
    Block,
    Bloemetje,
    Category,
    Conversation,
    Direction,
    Kind,
    Message,
    Nomination,
    Post,
    Recurrence,
    Report,
)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _limited(request: HttpRequest, group: str, rate_name: str) -> bool:
    return is_ratelimited(
        request,
        group=f"mutualhelp.{group}",
        key="user_or_ip",
        rate=str(setting(rate_name)),
        method="POST",
        increment=True,
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return ratelimited_page(request, PermissionDenied())


def _neighbourhood(code: str) -> Area:
    # Without the boundary (GeoJSON, often tens of kB): these pages do not draw a map.
    area = (
        Area.objects.filter(code=code.upper(), level=Level.NEIGHBOURHOOD).defer("boundary").first()
    )
    if area is None:
        raise Http404(_("Deze buurt bestaat niet."))
    return area


def _decorate(posts: list[Post], point: tuple[int, int] | None) -> list[Post]:
    """Attach what a list shows to each post: the distance (text only, rounded), its address
    and its labels (looked up once per list, not once per post)."""
    labels = {
        "category": {k: str(v) for k, v in Category.choices},
        "kind": {k: str(v) for k, v in Kind.choices},
        "recurrence": {k: str(v) for k, v in Recurrence.choices},
    }
    detail = reverse("mutualhelp:post_detail", kwargs={"pk": 0})[: -len("0/")]
    for post in posts:
        extra: Any = post
        extra.distance_text = geo.format_distance(services.visible_distance(post, point))
        extra.url = f"{detail}{post.pk}/"
        extra.category_label = labels["category"].get(post.category, post.category)
        extra.kind_label = labels["kind"].get(post.kind, post.kind)
        extra.recurrence_label = labels["recurrence"].get(post.recurrence, post.recurrence)
    return posts


def _point_map(area: Area | None) -> dict[str, Any] | None:
    """Data for the optional map picker: the neighbourhood's outline and centre."""
    if area is None or not area.boundary:
        return None
    centre = geo.centre_of(area.boundary)
    if centre is None:
        return None
    return {"centre": [centre[0] / 1e6, centre[1] / 1e6], "boundary": area.boundary}


# --- Overview and neighbourhood page ----------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"nav": "index"}
    if user.is_authenticated:
        me = _user(request)
        services.touch_active(me)
        profile = services.get_profile(me)
        area = profile.neighbourhood or me.home_neighbourhood
        my_posts = (
            Post.objects.filter(Q(owner=me) | Q(created_by=me))
            .exclude(status__in=[Post.Status.WITHDRAWN])
            .select_related("owner")
            .order_by("-created_at")[:30]
        )
        context.update(
            {
                "profile": profile,
                "area": area,
                "my_posts": my_posts,
                "conversations": services.conversations_of(me)[:10],
                "may_moderate": me.has_perm("mutualhelp.view_moderation"),
                "helps_others": services.people_in_care_of(me).exists(),
            }
        )
    else:
        context["neighbourhoods"] = (
            Area.objects.filter(
                level=Level.NEIGHBOURHOOD,
                help_posts__status=Post.Status.OPEN,
                help_posts__hide_location=False,
            )
            .distinct()
            .order_by("name")[:50]
        )
    return render(request, "mutualhelp/index.html", context)


def neighbourhood(request: HttpRequest, code: str) -> HttpResponse:
    area = _neighbourhood(code)
    point = services.viewer_point(request.user)
    size = int(setting("PAGE_SIZE"))
    now = timezone.now()
    # Both counts in one query, then both pages of posts in one query (two on SQLite).
    counts = services.neighbourhood_counts(area, now)
    pages = {}
    for direction, param in ((Direction.REQUEST, "vragen"), (Direction.OFFER, "aanbod")):
        paginator: Paginator[Post] = Paginator(Post.objects.none(), size)
        paginator.count = counts.get(direction, 0)
        pages[direction] = paginator.get_page(request.GET.get(param))
    lists = services.neighbourhood_lists(
        area, {d: ((p.number - 1) * size, p.number * size) for d, p in pages.items()}, now
    )
    for direction, page in pages.items():
        page.object_list = _decorate(lists[direction], point)
    requests_page, offers_page = pages[Direction.REQUEST], pages[Direction.OFFER]
    return render(
        request,
        "mutualhelp/neighbourhood.html",
        {
            "area": area,
            "requests_page": requests_page,
            "offers_page": offers_page,
            "workers": services.community_workers(area),
            "bloemetje": services.current_bloemetje(area),
            "has_point": point is not None,
        },
    )


def print_sheet(request: HttpRequest, code: str) -> HttpResponse:
    area = _neighbourhood(code)
    return pdf.response(pdf.render_neighbourhood(area, "a4"), f"burenhulp-{area.code}-a4")


def print_card(request: HttpRequest, code: str) -> HttpResponse:
    area = _neighbourhood(code)
    return pdf.response(pdf.render_neighbourhood(area, "a6"), f"burenhulp-{area.code}-a6")


# --- Posts ------------------------------------------------------------------------------------


def _initial_post(request: HttpRequest, near: Area | None) -> dict[str, Any]:
    direction = {"vraag": Direction.REQUEST, "aanbod": Direction.OFFER}.get(
        request.GET.get("richting", ""), ""
    )
    return {
        "direction": direction,
        "neighbourhood": near,
        "radius_m": setting("DEFAULT_RADIUS_M"),
    }


def _near(request: HttpRequest, user: User) -> Area | None:
    code = request.GET.get("buurt") or request.POST.get("buurt") or ""
    if code:
        area = Area.objects.filter(code=code.upper(), level=Level.NEIGHBOURHOOD).first()
        if area is not None:
            return area
    profile = services.get_profile(user)
    return profile.neighbourhood or user.home_neighbourhood


@login_required
def post_create(request: HttpRequest) -> HttpResponse:
    me = _user(request)
    near = _near(request, me)
    if request.method == "POST":
        form = PostForm(request.POST, near=near)
        if _limited(request, "post", "POST_RATE"):
            return _too_many(request)
        if form.is_valid():
            try:
                post = services.create_post(me, **form.service_kwargs())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Geplaatst. Hieronder ziet u wie kan helpen."))
                if post.is_request:
                    return redirect("mutualhelp:post_matches", pk=post.pk)
                return redirect(post)
    else:
        form = PostForm(initial=_initial_post(request, near), near=near)
    nav = "offer" if request.GET.get("richting") == "aanbod" else "ask"
    return render(
        request,
        "mutualhelp/post_form.html",
        {
            "form": form,
            "on_behalf": False,
            "near": near,
            "nav": nav,
            "point_map": _point_map(near),
        },
        status=400 if form.errors else 200,
    )


@login_required
def post_create_on_behalf(request: HttpRequest) -> HttpResponse:
    me = _user(request)
    people = services.people_in_care_of(me)
    near = _near(request, me)
    if request.method == "POST":
        form = OnBehalfPostForm(request.POST, people=people, near=near)
        if _limited(request, "post", "POST_RATE"):
            return _too_many(request)
        if form.is_valid():
            try:
                post = services.create_post(
                    me, owner=form.cleaned_data["owner"], **form.service_kwargs()
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Geplaatst namens %(name)s. U krijgt de reacties.")
                    % {"name": post.owner.display_name},
                )
                return redirect(post)
    else:
        form = OnBehalfPostForm(initial=_initial_post(request, near), people=people, near=near)
    return render(
        request,
        "mutualhelp/post_form.html",
        {
            "form": form,
            "on_behalf": True,
            "has_people": people.exists(),
            "near": near,
            "point_map": _point_map(near),
        },
        status=400 if form.errors else 200,
    )


def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(
        Post.objects.select_related("owner", "created_by", "neighbourhood"), pk=pk
    )
    if not services.can_view_post(request.user, post):
        if not request.user.is_authenticated and post.status == Post.Status.OPEN:
            return redirect(f"{reverse('accounts:login')}?next={post.get_absolute_url()}")
        raise Http404(_("Dit bericht bestaat niet (meer)."))
    point = services.viewer_point(request.user)
    is_side = services.is_post_side(request.user, post)
    conversation = None
    if request.user.is_authenticated and not is_side:
        conversation = Conversation.objects.filter(post=post, participant=request.user).first()
    side_conversations = (
        post.conversations.select_related("participant").order_by("-last_message_at")
        if is_side
        else None
    )
    return render(
        request,
        "mutualhelp/post_detail.html",
        {
            "post": post,
            "distance": geo.format_distance(services.visible_distance(post, point)),
            "show_places": services.may_see_places(request.user, post),
            "is_side": is_side,
            "conversation": conversation,
            "side_conversations": side_conversations,
            "form": MessageForm(),
            "may_hide_location": request.user.is_authenticated
            and _user(request).has_perm("mutualhelp.hide_location", post),
        },
    )


@login_required
@require_POST
def post_reply(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk)
    me = _user(request)
    if not services.can_view_post(me, post):
        raise Http404
    if _limited(request, "message", "MESSAGE_RATE"):
        return _too_many(request)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            conversation, _m = services.start_conversation(me, post, body=form.cleaned_data["body"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Uw bericht is verstuurd."))
            return redirect(conversation)
    return render(
        request,
        "mutualhelp/post_detail.html",
        {
            "post": post,
            "distance": geo.format_distance(
                services.visible_distance(post, services.viewer_point(me))
            ),
            "is_side": False,
            "form": form,
        },
        status=400,
    )


@login_required
def post_matches(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post.objects.select_related("owner", "neighbourhood"), pk=pk)
    me = _user(request)
    if not me.has_perm("mutualhelp.view_matches", post):
        raise Http404
    candidates = services.candidates_for(me, post)
    people = User.objects.in_bulk([c.user_id for c in candidates])
    posts = Post.objects.in_bulk([c.post_id for c in candidates if c.post_id])
    talking = set(post.conversations.values_list("participant_id", flat=True))
    rows = [
        {
            "candidate": c,
            "person": people[c.user_id],
            "their_post": posts.get(c.post_id) if c.post_id else None,
            "distance": geo.format_distance(services.candidate_distance(post, c)),
            "in_conversation": c.user_id in talking,
        }
        for c in candidates
    ]
    return render(request, "mutualhelp/matches.html", {"post": post, "rows": rows})


@login_required
def contact_candidate(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk)
    me = _user(request)
    if not services.is_post_side(me, post):
        raise Http404
    person = get_object_or_404(User, pk=user_pk, is_active=True)
    other_post = None
    other_id = request.GET.get("aanbod") or request.POST.get("aanbod") or ""
    if other_id.isdigit():
        other_post = Post.objects.filter(pk=int(other_id), owner=person).first()
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "message", "MESSAGE_RATE"):
            return _too_many(request)
        if form.is_valid():
            try:
                conversation, _m = services.start_conversation(
                    me,
                    post,
                    body=form.cleaned_data["body"],
                    participant=person,
                    other_post=other_post,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Uw bericht is verstuurd."))
                return redirect(conversation)
    return render(
        request,
        "mutualhelp/contact_candidate.html",
        {"post": post, "person": person, "other_post": other_post, "form": form},
    )


@login_required
@require_POST
def post_status(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk)
    me = _user(request)
    action = request.POST.get("action")
    actions = {
        "withdraw": (services.withdraw_post, _("Uw bericht is ingetrokken.")),
        "close": (services.close_post, _("Afgerond. Fijn dat het gelukt is!")),
        "reopen": (services.reopen_post, _("Het bericht staat weer open.")),
    }
    if action not in actions:
        messages.error(request, _("Onbekende actie."))
        return redirect(post)
    func, done = actions[action]
    try:
        func(me, post)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(post)


@login_required
@require_POST
def post_hide_location(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk)
    try:
        services.set_post_hidden_location(_user(request), post, request.POST.get("hide") == "1")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Opgeslagen."))
    return redirect(post)


# --- Conversations ----------------------------------------------------------------------------


@login_required
def conversations(request: HttpRequest) -> HttpResponse:
    me = _user(request)
    services.touch_active(me)
    page = Paginator(services.conversations_of(me), 25).get_page(request.GET.get("pagina"))
    return render(request, "mutualhelp/conversations.html", {"page": page, "nav": "messages"})


def _conversation_for(request: HttpRequest, pk: int) -> tuple[Conversation, str]:
    conversation = get_object_or_404(
        Conversation.objects.select_related(
            "post", "post__owner", "post__created_by", "participant", "other_post"
        ),
        pk=pk,
    )
    side = services.side_of(request.user, conversation)
    if side is None:
        raise Http404
    return conversation, side


def _conversation_context(
    request: HttpRequest, conversation: Conversation, side: str, **extra: Any
) -> dict[str, Any]:
    me = _user(request)
    post = conversation.post
    other = conversation.participant if side == "post" else post.owner
    thanks = list(conversation.thanks.all())
    context = {
        "conversation": conversation,
        "post": post,
        "side": side,
        "is_post_side": side == "post",
        "other": other,
        "nav": "messages",
        "chat": conversation.messages.select_related("sender"),
        "form": MessageForm(),
        "contact": services.contact_details(me, conversation)
        if conversation.contact_shared
        else None,
        "i_share": conversation.post_side_shares_contact
        if side == "post"
        else conversation.participant_shares_contact,
        "they_share": conversation.participant_shares_contact
        if side == "post"
        else conversation.post_side_shares_contact,
        "thanked": any(t.from_post_side == (side == "post") for t in thanks),
        "thanks": thanks,
        "blocked": Block.objects.filter(blocker=me, blocked=other).exists(),
    }
    context.update(extra)
    return context


@login_required
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    conv, side = _conversation_for(request, pk)
    me = _user(request)
    status = 200
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "message", "MESSAGE_RATE"):
            return _too_many(request)
        if form.is_valid():
            try:
                services.send_message(me, conv, form.cleaned_data["body"])
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 400
            else:
                return redirect(f"{conv.get_absolute_url()}#laatste")
        else:
            status = 400
    services.touch_active(me)
    return render(
        request,
        "mutualhelp/conversation.html",
        _conversation_context(request, conv, side, form=form),
        status=status,
    )


@login_required
@require_POST
def conversation_contact(request: HttpRequest, pk: int) -> HttpResponse:
    conv, _side = _conversation_for(request, pk)
    share = request.POST.get("share") == "1"
    try:
        services.share_contact(_user(request), conv, share)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if share:
            messages.success(
                request,
                _(
                    "U wilt contactgegevens delen. Als de ander dat ook wil, ziet u elkaars "
                    "gegevens."
                )
                if not conv.contact_shared
                else _("U ziet nu elkaars contactgegevens."),
            )
        else:
            messages.success(request, _("U deelt uw contactgegevens niet meer."))
    return redirect(conv)


@login_required
@require_POST
def conversation_agree(request: HttpRequest, pk: int) -> HttpResponse:
    conv, _side = _conversation_for(request, pk)
    try:
        services.agree(_user(request), conv)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Afgesproken! Het bericht staat niet meer open. Bedank elkaar als het gelukt is."),
        )
    return redirect(conv)


@login_required
def conversation_thank(request: HttpRequest, pk: int) -> HttpResponse:
    conv, side = _conversation_for(request, pk)
    me = _user(request)
    form = ThanksForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.thank(
                me,
                conv,
                text=form.cleaned_data["text"],
                nominate=form.cleaned_data["nominate"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Uw bedankje is verstuurd."))
            return redirect(conv)
    other = conv.participant if side == "post" else conv.post.owner
    return render(
        request,
        "mutualhelp/thank_form.html",
        {"conversation": conv, "form": form, "other": other},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def conversation_block(request: HttpRequest, pk: int) -> HttpResponse:
    conv, side = _conversation_for(request, pk)
    if _limited(request, "block", "BLOCK_RATE"):
        return _too_many(request)
    other = conv.participant if side == "post" else conv.post.owner
    try:
        services.block(_user(request), other)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "U heeft %(name)s geblokkeerd. U krijgt geen berichten meer van elkaar en ziet "
                "elkaar niet meer als hulp."
            )
            % {"name": other.display_name},
        )
    return redirect("mutualhelp:blocks")


@login_required
def blocks(request: HttpRequest) -> HttpResponse:
    me = _user(request)
    if request.method == "POST":
        other_id = request.POST.get("user") or ""
        if not other_id.isdigit():
            raise Http404
        other = get_object_or_404(User, pk=int(other_id))
        services.unblock(me, other)
        messages.success(request, _("Blokkade opgeheven."))
        return redirect("mutualhelp:blocks")
    rows = Block.objects.filter(blocker=me).select_related("blocked").order_by("-created_at")
    return render(request, "mutualhelp/blocks.html", {"rows": rows})


# --- Reports and moderation -------------------------------------------------------------------


def _report(request: HttpRequest, *, post: Post | None, message: Message | None) -> HttpResponse:
    me = _user(request)
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "report", "REPORT_RATE"):
            return _too_many(request)
        if form.is_valid():
            try:
                services.report(
                    me,
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data["text"],
                    post=post,
                    message=message,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Dank u. De buurtwerker bekijkt uw melding zo snel mogelijk.")
                )
                if message is not None:
                    return redirect(message.conversation)
                assert post is not None
                return redirect(post)
    return render(
        request,
        "mutualhelp/report_form.html",
        {"form": form, "post": post, "message_obj": message},
        status=400 if form.errors else 200,
    )


@login_required
def report_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk)
    if not services.can_view_post(request.user, post):
        raise Http404
    return _report(request, post=post, message=None)


@login_required
def report_message(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message.objects.select_related("conversation__post"), pk=pk)
    if services.side_of(request.user, message.conversation) is None:
        raise Http404
    return _report(request, post=None, message=message)


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    me = _user(request)
    if not me.has_perm("mutualhelp.view_moderation"):
        raise PermissionDenied(_("Deze pagina is voor buurtwerkers."))
    return render(
        request,
        "mutualhelp/moderation.html",
        {
            "reports": services.open_reports_for(me),
            "unanswered": services.unanswered_for(me),
            "on_behalf": services.on_behalf_posts_for(me)[:50],
            "nominations": services.nominations_for(me),
            "nav": "moderation",
            "decide_form": DecideForm(),
            "award_form": AwardForm(),
            "unanswered_days": setting("UNANSWERED_DAYS"),
        },
    )


@login_required
@require_POST
def report_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Report, pk=pk)
    me = _user(request)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.decide_report(
                me, item, form.cleaned_data["decision"], form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Besluit vastgelegd."))
            if item.decision in (Report.Decision.WARN, Report.Decision.HIDE):
                for person in services.notice_unreachable(item):
                    messages.warning(
                        request,
                        _(
                            "%(name)s heeft geen e-mail en niemand die die voor hem of haar "
                            "leest. Vertel het besluit en de reden zelf, bijvoorbeeld per "
                            "telefoon."
                        )
                        % {"name": person.display_name},
                    )
            return redirect("mutualhelp:moderation")
    return render(request, "mutualhelp/decide_form.html", {"form": form, "item": item}, status=400)


@login_required
@require_POST
def award(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_object_or_404(
        Nomination.objects.select_related("neighbourhood", "nominee"), pk=pk
    )
    me = _user(request)
    form = AwardForm(request.POST)
    if form.is_valid():
        try:
            services.award_bloemetje(
                me,
                nomination.neighbourhood,
                nomination.month,
                nomination.nominee,
                form.cleaned_data["citation"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Het bloemetje is toegekend."))
            return redirect("mutualhelp:moderation")
    return render(
        request,
        "mutualhelp/award_form.html",
        {"form": form, "nomination": nomination},
        status=400,
    )


@login_required
def helpers(request: HttpRequest) -> HttpResponse:
    """Community workers: let a neighbour post and answer for a resident without internet."""
    me = _user(request)
    people = services.people_in_care_of(me)
    form = AddHelperForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        helper = User.objects.filter(email__iexact=data["helper_email"], is_active=True).first()
        if helper is None:
            form.add_error(
                "helper_email",
                _(
                    "Er is geen account met dit e-mailadres. Vraag de buurtgenoot eerst een "
                    "account te maken."
                ),
            )
        elif not data["consent"]:
            form.add_error(
                "consent",
                _(
                    "Zonder toestemming van de bewoner kan de buurtgenoot niet namens hem of "
                    "haar helpen."
                ),
            )
        else:
            try:
                services.add_assisted_helper(
                    me, data["person"], helper, method=data["method"] or "", note=data["note"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("De buurtgenoot kan nu namens de bewoner helpen."))
                return redirect("mutualhelp:helpers")
    from .models import AssistedHelper

    links = AssistedHelper.objects.filter(person__in=people, ended_at__isnull=True).select_related(
        "person", "helper"
    )
    return render(
        request,
        "mutualhelp/helpers.html",
        {"form": form, "links": links, "has_people": people.exists()},
        status=400 if form.errors else 200,
    )


# --- Profile ----------------------------------------------------------------------------------


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    me = _user(request)
    current = services.get_profile(me)
    near = current.neighbourhood or me.home_neighbourhood
    if request.method == "POST":
        form = ProfileForm(request.POST, near=near)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_profile(
                    me,
                    actor=me,
                    categories=data["categories"],
                    neighbourhood=data["neighbourhood"],
                    lat=data["lat"],
                    lon=data["lon"],
                    radius_m=data["radius_m"],
                    moments=sum(int(v) for v in data["moments"]),
                    digest_opt_out=data["digest_opt_out"],
                    use_centre=data["use_centre"],
                )
                if data["vulnerable"] != current.vulnerable:
                    services.set_person_vulnerable(me, me, data["vulnerable"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Uw profiel is opgeslagen."))
                return redirect("mutualhelp:profile")
    else:
        form = ProfileForm(
            initial={
                "categories": list(current.capabilities.values_list("category", flat=True)),
                "neighbourhood": near,
                "radius_m": current.radius_m,
                "moments": mask_to_moments(current.moments),
                "digest_opt_out": current.digest_opt_out,
                "vulnerable": current.vulnerable,
            },
            near=near,
        )
    awards = Bloemetje.objects.filter(recipient=me).select_related("neighbourhood")
    return render(
        request,
        "mutualhelp/profile.html",
        {
            "form": form,
            "profile": current,
            "history": services.given_and_received(me),
            "awards": awards,
            "welcome": request.GET.get("welkom") == "1",
            "nav": "profile",
            "point_map": _point_map(near),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def bloemetje_name(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Bloemetje, pk=pk)
    services.set_bloemetje_name_public(_user(request), item, request.POST.get("public") == "1")
    messages.success(request, _("Opgeslagen."))
    return redirect("mutualhelp:profile")


def digest_optout(request: HttpRequest, token: str) -> HttpResponse:
    user = services.user_for_optout_token(token)
    if user is None:
        return render(request, "mutualhelp/digest_optout.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.opt_out_of_digest(
            user, actor=request.user if request.user.is_authenticated else None
        )
        return render(request, "mutualhelp/digest_optout.html", {"done": True})
    return render(request, "mutualhelp/digest_optout.html", {"person": user})
