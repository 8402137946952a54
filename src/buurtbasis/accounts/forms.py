"""Forms for signing in, signing up, the profile, assisted accounts and consents.

Forms only check and convert input; the changes themselves are made by ``services``. Errors
are linked to their field (``aria-describedby``, Django's ``<id>_error``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import password_validation
from django.db.models import Q, QuerySet
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _

from buurtbasis.areas.models import Area, Level

from .models import Role, User
from .services import ASSISTED_CONSENT_METHODS, SELF_SERVICE_PURPOSES, normalise_email

#: Up to this many neighbourhoods the home neighbourhood is a select list (grouped per
#: municipality and district); above it a text field that takes the CBS neighbourhood code.
NEIGHBOURHOOD_SELECT_MAX = 1500


class BBErrorList(ErrorList):
    """Error lists carry the class ``error`` (styled by base.html's stylesheet)."""

    def __init__(
        self,
        initlist: Any = None,
        error_class: str | None = None,
        renderer: Any = None,
        field_id: str | None = None,
    ) -> None:
        super().__init__(
            initlist,
            f"error {error_class}" if error_class else "error",
            renderer=renderer,
            field_id=field_id,
        )


class BaseForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", BBErrorList)
        super().__init__(*args, **kwargs)


if TYPE_CHECKING:
    _AreaChoiceField = forms.ModelChoiceField[Area]
else:
    _AreaChoiceField = forms.ModelChoiceField


class NeighbourhoodChoiceField(_AreaChoiceField):
    """Chooses an area by its CBS code; accepts the code in any case."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().upper()
        return super().to_python(value)


def neighbourhood_field(
    queryset: QuerySet[Area] | None = None, *, required: bool = False, label: Any = None
) -> NeighbourhoodChoiceField:
    """A field for a home neighbourhood: a grouped select list, or (with very many
    neighbourhoods) a text field for the CBS code such as BU03440101."""
    qs = queryset if queryset is not None else Area.objects.filter(level=Level.NEIGHBOURHOOD)
    qs = qs.select_related("parent", "municipality").order_by(
        "municipality__name", "parent__name", "name"
    )
    many = qs.count() > NEIGHBOURHOOD_SELECT_MAX
    field = NeighbourhoodChoiceField(
        queryset=qs,
        to_field_name="code",
        required=required,
        label=label or _("Woonbuurt"),
        empty_label=_("— geen buurt gekozen —"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}) if many else forms.Select,
        help_text=_("Vul de buurtcode in, bijvoorbeeld BU03440101.") if many else "",
        error_messages={
            "invalid_choice": _("Kies een buurt uit de lijst."),
            "required": _("Kies een buurt."),
        },
    )
    if not many:
        groups: dict[str, list[tuple[str, str]]] = {}
        for area in qs:
            group = " — ".join(
                a.name for a in (area.municipality, area.parent) if a is not None and a != area
            )
            groups.setdefault(group, []).append((area.code, area.name))
        empty = [("", str(field.empty_label))]
        grouped: list[Any] = list(empty)
        for group, options in groups.items():
            if group:
                grouped.append((group, options))
            else:
                grouped.extend(options)
        field.widget.choices = grouped
    return field


class LoginForm(BaseForm):
    email = forms.EmailField(
        label=_("E-mailadres"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class LinkRequestForm(BaseForm):
    email = forms.EmailField(
        label=_("E-mailadres"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class RegisterForm(BaseForm):
    email = forms.EmailField(
        label=_("E-mailadres"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    display_name = forms.CharField(
        label=_("Naam die anderen zien"),
        max_length=100,
        help_text=_("Bijvoorbeeld uw voornaam. U kunt dit later veranderen."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password = forms.CharField(
        label=_("Wachtwoord (mag leeg blijven)"),
        required=False,
        strip=False,
        help_text=_(
            "Zonder wachtwoord logt u in met een link die we u mailen. Een wachtwoord heeft "
            "minstens 8 tekens en is niet te makkelijk te raden."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_neighbourhood"] = neighbourhood_field(
            label=_("Woonbuurt (mag leeg blijven)")
        )
        self.order_fields(["email", "display_name", "home_neighbourhood", "password"])

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"]) or ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            candidate = User(
                email=cleaned.get("email"), display_name=cleaned.get("display_name", "")
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class ProfileForm(BaseForm):
    """The profile; ``neighbourhoods`` limits the choice of home neighbourhood."""

    display_name = forms.CharField(label=_("Naam die anderen zien"), max_length=100)
    languages = forms.CharField(
        label=_("Talen die u spreekt"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld: Nederlands, Turks"),
    )
    phone = forms.CharField(
        label=_("Telefoonnummer"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    def __init__(
        self, *args: Any, neighbourhoods: QuerySet[Area] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_neighbourhood"] = neighbourhood_field(neighbourhoods)
        self.order_fields(["display_name", "home_neighbourhood", "languages", "phone"])


class PasswordForm(BaseForm):
    """Set a (new) password; the user is signed in already (by password or e-mail link)."""

    password = forms.CharField(
        label=_("Nieuw wachtwoord"),
        strip=False,
        help_text=_("Minstens 8 tekens, niet te makkelijk te raden."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        password_validation.validate_password(password, self.user)
        return password


def professional_neighbourhoods(professional: User) -> QuerySet[Area]:
    """Neighbourhoods where ``professional`` works as a professional (directly or above)."""
    area_ids = list(
        professional.memberships.filter(role=Role.PROFESSIONAL).values_list("area_id", flat=True)
    )
    return Area.objects.filter(level=Level.NEIGHBOURHOOD).filter(
        Q(pk__in=area_ids) | Q(parent_id__in=area_ids) | Q(municipality_id__in=area_ids)
    )


class AssistedForm(BaseForm):
    display_name = forms.CharField(
        label=_("Naam die anderen zien"),
        max_length=100,
        help_text=_("Bijvoorbeeld de voornaam van de bewoner."),
    )
    phone = forms.CharField(
        label=_("Telefoonnummer (mag leeg blijven)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    languages = forms.CharField(
        label=_("Talen (mag leeg blijven)"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld: Nederlands, Arabisch"),
    )
    consent_given = forms.BooleanField(
        label=_("De bewoner geeft toestemming om dit account voor hem of haar te beheren"),
        required=False,
    )
    consent_method = forms.ChoiceField(
        label=_("Hoe gaf de bewoner toestemming?"),
        choices=[(m.value, m.label) for m in ASSISTED_CONSENT_METHODS],
        widget=forms.RadioSelect,
    )
    consent_note = forms.CharField(
        label=_("Toelichting (mag leeg blijven)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bijvoorbeeld: formulier getekend op 3 maart, ligt in het dossier."),
    )

    def __init__(self, professional: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_neighbourhood"] = neighbourhood_field(
            professional_neighbourhoods(professional), required=True
        )
        self.order_fields(
            [
                "display_name",
                "home_neighbourhood",
                "phone",
                "languages",
                "consent_given",
                "consent_method",
                "consent_note",
            ]
        )

    def clean_consent_given(self) -> bool:
        if not self.cleaned_data.get("consent_given"):
            raise forms.ValidationError(
                _(
                    "Zonder toestemming van de bewoner kunt u geen account maken. Vraag eerst "
                    "toestemming (op papier, telefonisch of persoonlijk)."
                ),
                code="no_consent",
            )
        return True


class TakeoverForm(BaseForm):
    code = forms.CharField(
        label=_("Overnamecode"),
        max_length=40,
        help_text=_("De code op het papier van uw buurtwerker, bijvoorbeeld ABCD-EFGH-JKLM."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    email = forms.EmailField(
        label=_("Uw e-mailadres"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Kies een wachtwoord"),
        strip=False,
        help_text=_("Minstens 8 tekens, niet te makkelijk te raden."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ConsentForm(BaseForm):
    purpose = forms.ChoiceField(choices=[(p.value, p.label) for p in SELF_SERVICE_PURPOSES])
    given = forms.TypedChoiceField(
        choices=[("1", _("ja")), ("0", _("nee"))], coerce=lambda value: value == "1"
    )


class DeleteAccountForm(BaseForm):
    """Confirm with the password, or (without password) by typing the confirmation word."""

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label=_("Uw wachtwoord"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )
        else:
            self.fields["confirm"] = forms.CharField(
                label=_("Typ VERWIJDER om te bevestigen"), max_length=20
            )

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Dit wachtwoord klopt niet."), code="wrong_password")
        return password

    def clean_confirm(self) -> str:
        value: str = self.cleaned_data["confirm"]
        if value.strip().upper() != CONFIRM_WORD:
            raise forms.ValidationError(
                _("Typ precies het woord VERWIJDER."), code="wrong_confirmation"
            )
        return value


CONFIRM_WORD = "VERWIJDER"


class AuditFilterForm(BaseForm):
    action = forms.ChoiceField(label=_("Actie"), required=False)

    def __init__(self, actions: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Alle acties"))] + [(a, a) for a in actions]


class RoleForm(BaseForm):
    """Give a person a role in an area (the role management page)."""

    email = forms.EmailField(
        label=_("E-mailadres van de persoon"),
        max_length=254,
        help_text=_("De persoon moet zich eerst zelf aanmelden met dit adres."),
    )
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices)
    organisation_name = forms.CharField(
        label=_("Organisatie (nodig bij een professional)"),
        max_length=200,
        required=False,
    )
