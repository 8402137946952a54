"""Pages about people: signing in and up, profile, consents, my data, assisted accounts and the
audit log. Views stay thin: forms check input, ``services`` make the changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited
from sesame.utils import get_user as sesame_get_user

from buurtbasis.areas.models import Area
from buurtbasis.core import audit, next_steps
from buurtbasis.core.models import AuditEvent

from . import services
from .forms import (
    AssistedForm,
    AuditFilterForm,
    ConsentForm,
    DeleteAccountForm,
    LinkRequestForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
    RoleForm,
    TakeoverForm,
    professional_neighbourhoods,
)
from .models import Consent, Membership, Role, User

AUDIT_PAGE_SIZE = 50


# --- helpers ----------------------------------------------------------------------------------


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _rate() -> str:
    return str(settings.BUURTBASIS["LOGIN_RATE"])


def _too_many(request: HttpRequest, group: str, email: str | None = None) -> bool:
    """Count one attempt for this IP (and this e-mail address); true when over the limit."""
    limited = is_ratelimited(
        request, group=f"{group}:ip", key="ip", rate=_rate(), method="POST", increment=True
    )
    clean = services.normalise_email(email)
    if clean:
        limited = (
            is_ratelimited(
                request,
                group=f"{group}:email",
                key=lambda _group, _request: clean,
                rate=_rate(),
                method="POST",
                increment=True,
            )
            or limited
        )
    return bool(limited)


def _ratelimited_response(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/ratelimited.html", status=429)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _after_login(request: HttpRequest, first_time: bool, default: str) -> str:
    """Where to go after signing in: the page asked for (``next``); else, on a person's very
    first sign-in, the first step apps registered for new people (``core.next_steps``, e.g.
    "what can you offer?"); else ``default``."""
    if first_time and not (request.POST.get("next") or request.GET.get("next")):
        return next_steps.first_url() or default
    return default


def _deny(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors go to the sign-in page; signed-in people get 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def _apply_errors(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError on the form (per field when the field exists)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _login_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:link_login"))


# --- signing in -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    next_url = _safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))
    if request.method == "POST":
        if _too_many(request, "login", request.POST.get("email")):
            return _ratelimited_response(request)
        if form.is_valid():
            user = authenticate(
                request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
            if user is not None:
                first_time = user.last_login is None
                login(request, user)
                audit.record(user, "accounts.login", user, method="password")
                return HttpResponseRedirect(_after_login(request, first_time, next_url))
            audit.record(None, "accounts.login", None, result=AuditEvent.Result.FAILED)
            # The same message whether the address exists or not.
            form.add_error(
                None,
                _("Dit e-mailadres en wachtwoord horen niet bij elkaar. Probeer het opnieuw."),
            )
    return render(request, "registration/login.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def link_request(request: HttpRequest) -> HttpResponse:
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST":
        if _too_many(request, "link", request.POST.get("email")):
            return _ratelimited_response(request)
        if form.is_valid():
            services.send_login_link(form.cleaned_data["email"], login_url=_login_url(request))
            return redirect("accounts:link_sent")
    return render(request, "accounts/link_request.html", {"form": form})


def link_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/link_sent.html", {"minutes": int(settings.SESAME_MAX_AGE // 60)}
    )


@require_http_methods(["GET", "POST"])
def link_login(request: HttpRequest) -> HttpResponse:
    """GET shows a button; only the POST uses the one-time link. So a mail program that opens
    links to check them does not use the link up."""
    token = request.POST.get("sesame") or request.GET.get(settings.SESAME_TOKEN_NAME) or ""
    if request.method == "POST":
        if _too_many(request, "link_login"):
            return _ratelimited_response(request)
        user = sesame_get_user(token, update_last_login=False) if token else None
        if user is not None:
            first_time = user.last_login is None
            login(request, user, backend="sesame.backends.ModelBackend")  # updates last_login
            audit.record(user, "accounts.login", user, method="link")
            default = _safe_next(request, reverse("accounts:profile"))
            return HttpResponseRedirect(_after_login(request, first_time, default))
        audit.record(None, "accounts.login", None, result=AuditEvent.Result.FAILED, method="link")
        return render(request, "accounts/link_invalid.html", status=400)
    if not token:
        return redirect("accounts:link_request")
    if sesame_get_user(token, update_last_login=False) is None:
        return render(request, "accounts/link_invalid.html", status=400)
    return render(request, "accounts/link_login.html", {"token": token})


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST":
        if _too_many(request, "register"):
            return _ratelimited_response(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.sign_up(
                    email=data["email"],
                    display_name=data["display_name"],
                    password=data["password"] or None,
                    home_neighbourhood=data["home_neighbourhood"],
                    login_url=_login_url(request),
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_done.html", {"next_steps": next_steps.steps()})


# --- my account -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_profile(
                    me,
                    actor=me,
                    display_name=data["display_name"],
                    home_neighbourhood=data["home_neighbourhood"],
                    languages=data["languages"],
                    phone=data["phone"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Uw gegevens zijn opgeslagen."))
                return redirect("accounts:profile")
    else:
        form = ProfileForm(
            initial={
                "display_name": me.display_name,
                "home_neighbourhood": me.home_neighbourhood,
                "languages": me.languages,
                "phone": me.phone,
            }
        )
    memberships = me.memberships.select_related("area", "organisation").order_by(
        "area__code", "role"
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": memberships,
            "consents": _consent_rows(me),
            "assisted_count": me.assisted_accounts.count(),
        },
    )


def _consent_rows(user: User) -> list[dict[str, Any]]:
    state = services.current_consents(user)
    return [
        {
            "purpose": purpose,
            "label": label,
            "consent": state[purpose],
            "self_service": purpose in services.SELF_SERVICE_PURPOSES,
        }
        for purpose, label in Consent.Purpose.choices
    ]


@login_required
@require_http_methods(["GET", "POST"])
def password(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    form = PasswordForm(me, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_password(me, form.cleaned_data["password"], actor=me)
        update_session_auth_hash(request, me)
        messages.success(request, _("Uw wachtwoord is opgeslagen."))
        return redirect("accounts:profile")
    return render(request, "accounts/password.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if not me.has_perm("accounts.view_consents", me):
        raise PermissionDenied
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            services.record_consent(
                me,
                form.cleaned_data["purpose"],
                form.cleaned_data["given"],
                method=Consent.Method.ONLINE,
                actor=me,
            )
            messages.success(request, _("Uw keuze is vastgelegd."))
            return redirect("accounts:consents")
        messages.error(request, _("Deze keuze kon niet worden vastgelegd. Probeer het opnieuw."))
    history = me.consents.select_related("recorded_by").order_by("-at", "-id")
    return render(
        request, "accounts/consents.html", {"rows": _consent_rows(me), "history": history}
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if request.method == "POST":
        body = services.export_user_json(me, actor=me)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="buurtbasis-mijn-gegevens-{stamp}.json"'
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "accounts/my_data.html")


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    form = DeleteAccountForm(me, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_account(me, actor=me)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            logout(request)
            messages.success(request, _("Uw account en uw gegevens zijn verwijderd."))
            return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "assisted_count": me.assisted_accounts.count()},
    )


# --- roles per area ---------------------------------------------------------------------------


@login_required
def roles(request: HttpRequest) -> HttpResponse:
    """The areas where I may give and end roles."""
    me = _me(request)
    if not me.has_perm("accounts.manage_roles"):
        raise PermissionDenied
    return render(request, "accounts/roles.html", {"areas": services.manageable_areas(me)})


@login_required
@require_http_methods(["GET", "POST"])
def roles_area(request: HttpRequest, code: str) -> HttpResponse:
    """Who has which role in this area; give a role."""
    me = _me(request)
    area = get_object_or_404(Area.objects.select_related("parent"), code=code.upper())
    if not me.has_perm("accounts.manage_roles", area):
        raise PermissionDenied
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.assign_role(actor=me, area=area, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is nu %(role)s in %(area)s.")
                % {
                    "name": membership.user.display_name,
                    "role": membership.get_role_display(),
                    "area": area.name,
                },
            )
            return redirect("accounts:roles_area", code=area.code)
    memberships = (
        Membership.objects.filter(area=area)
        .select_related("user", "organisation")
        .order_by("role", "user__display_name", "pk")
    )
    return render(
        request,
        "accounts/roles_area.html",
        {
            "area": area,
            "form": form,
            "memberships": memberships,
            "children": Area.objects.filter(parent=area).order_by("name", "code"),
        },
    )


@login_required
@require_POST
def role_end(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    me = _me(request)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "area"), pk=pk, area__code=code.upper()
    )
    try:
        services.end_role(actor=me, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("De rol %(role)s van %(name)s is beëindigd.")
            % {"role": membership.get_role_display(), "name": membership.user.display_name},
        )
    return redirect("accounts:roles_area", code=membership.area.code)


# --- assisted accounts ------------------------------------------------------------------------


def _assisted_guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_assisted_guard
def assisted(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    residents = me.assisted_accounts.select_related("home_neighbourhood").order_by(
        "display_name", "pk"
    )
    may_register = me.has_perm("accounts.register_assisted")
    if not may_register and not residents.exists():
        raise PermissionDenied
    return render(
        request,
        "accounts/assisted_list.html",
        {"residents": residents, "may_register": may_register},
    )


@_assisted_guard
@require_http_methods(["GET", "POST"])
def verify_residents(request: HttpRequest) -> HttpResponse:
    """Residents of my area whose neighbourhood is not yet confirmed, each with a button to
    confirm it (a plain form: works without JavaScript)."""
    me = _me(request)
    if not me.has_perm("accounts.verify_resident"):
        raise PermissionDenied
    if request.method == "POST":
        membership = get_object_or_404(
            Membership.objects.select_related("user", "area"),
            pk=request.POST.get("membership") or 0,
            role=Role.RESIDENT,
        )
        try:
            services.verify_resident(membership, actor=me)
        except (ValidationError, PermissionDenied) as error:
            for message in getattr(error, "messages", None) or [str(error)]:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("%(name)s woont in %(area)s: bevestigd.")
                % {"name": membership.user.display_name, "area": membership.area.name},
            )
        return redirect("accounts:verify_residents")
    return render(
        request,
        "accounts/verify_residents.html",
        {"pending": services.residents_to_verify(me)},
    )


@_assisted_guard
@require_http_methods(["GET", "POST"])
def assisted_new(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if not me.has_perm("accounts.register_assisted"):
        raise PermissionDenied
    form = AssistedForm(me, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            resident = services.register_assisted(
                professional=me,
                display_name=data["display_name"],
                home_neighbourhood=data["home_neighbourhood"],
                consent_given=data["consent_given"],
                consent_method=data["consent_method"],
                consent_note=data["consent_note"],
                phone=data["phone"],
                languages=data["languages"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("Het account van %(name)s is gemaakt.") % {"name": resident.display_name}
            )
            return redirect("accounts:assisted_detail", pk=resident.pk)
    return render(request, "accounts/assisted_new.html", {"form": form})


@_assisted_guard
def assisted_detail(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    resident = get_object_or_404(User, pk=pk)
    if not me.has_perm("accounts.manage_assisted", resident):
        raise PermissionDenied
    audit.record(me, "accounts.view_assisted", resident, sensitive_read=True)
    return render(
        request,
        "accounts/assisted_detail.html",
        {
            "resident": resident,
            "memberships": resident.memberships.select_related("area", "organisation"),
            "consents": _consent_rows(resident),
            "code_pending": bool(
                resident.takeover_code
                and resident.takeover_code_expires
                and resident.takeover_code_expires > timezone.now()
            ),
        },
    )


@_assisted_guard
@require_http_methods(["GET", "POST"])
def assisted_edit(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    resident = get_object_or_404(User, pk=pk)
    if not me.has_perm("accounts.manage_assisted", resident):
        raise PermissionDenied
    choices = professional_neighbourhoods(me)
    if resident.home_neighbourhood_id:
        choices = choices | Area.objects.filter(pk=resident.home_neighbourhood_id)
    if request.method == "POST":
        form = ProfileForm(request.POST, neighbourhoods=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_profile(
                    resident,
                    actor=me,
                    display_name=data["display_name"],
                    home_neighbourhood=data["home_neighbourhood"],
                    languages=data["languages"],
                    phone=data["phone"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("De gegevens zijn opgeslagen."))
                return redirect("accounts:assisted_detail", pk=resident.pk)
    else:
        form = ProfileForm(
            initial={
                "display_name": resident.display_name,
                "home_neighbourhood": resident.home_neighbourhood,
                "languages": resident.languages,
                "phone": resident.phone,
            },
            neighbourhoods=choices,
        )
    return render(request, "accounts/assisted_edit.html", {"form": form, "resident": resident})


@_assisted_guard
@require_http_methods(["GET", "POST"])
def assisted_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an assisted account on the resident's request."""
    me = _me(request)
    resident = get_object_or_404(User, pk=pk)
    if not me.has_perm("accounts.manage_assisted", resident):
        raise PermissionDenied
    form = DeleteAccountForm(resident, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_account(resident, actor=me)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("Het account en de gegevens van de bewoner zijn verwijderd.")
            )
            return redirect("accounts:assisted")
    return render(request, "accounts/assisted_delete.html", {"form": form, "resident": resident})


@_assisted_guard
@require_POST
def takeover_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a take-over code and show it once (the response is not stored anywhere)."""
    me = _me(request)
    resident = get_object_or_404(User, pk=pk)
    code = services.create_takeover_code(resident, actor=me)  # checks the permission
    response = render(
        request,
        "accounts/takeover_code.html",
        {
            "resident": resident,
            "code": code,
            "expires": resident.takeover_code_expires,
            "takeover_url": request.build_absolute_uri(reverse("accounts:takeover")),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def takeover(request: HttpRequest) -> HttpResponse:
    form = TakeoverForm(request.POST or None)
    if request.method == "POST":
        if _too_many(request, "takeover"):
            return _ratelimited_response(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.take_over(
                    code=data["code"], email=data["email"], password=data["password"]
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Het account is nu van u. Welkom!"))
                return redirect("accounts:profile")
    return render(request, "accounts/takeover.html", {"form": form})


# --- audit log --------------------------------------------------------------------------------


def _who(event: AuditEvent) -> str:
    """How the log shows the actor: the name while the person exists; afterwards only that
    it was a deleted account (the row itself holds no e-mail or name)."""
    if event.actor is not None:
        return f"{event.actor.display_name} ({event.actor_label})"
    if event.actor_label.startswith("user:"):
        return _("verwijderd account (%(label)s)") % {"label": event.actor_label}
    return _("anoniem") if event.actor_label == "anoniem" else event.actor_label


def audit_log(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.view_audit"):
        return _deny(request)
    actions = list(
        AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    )
    form = AuditFilterForm(actions, request.GET or None)
    events = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    action = ""
    if form.is_valid():
        action = form.cleaned_data.get("action") or ""
        if action:
            events = events.filter(action=action)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("pagina"))
    for event in page:
        event.who = _who(event)  # type: ignore[attr-defined]
    audit.record(request.user, "accounts.view_audit", None, filter_action=action, page=page.number)
    return render(request, "accounts/audit.html", {"form": form, "page": page, "action": action})
