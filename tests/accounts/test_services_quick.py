import pytest
from django.core.exceptions import ValidationError

from buurtbasis.accounts import services
from buurtbasis.accounts.models import Membership, Role
from buurtbasis.areas.models import Area


@pytest.mark.django_db
def test_quick() -> None:
    gm = Area.objects.create(code="GM9999", level="GM", name="G")
    gm.municipality = gm
    gm.save()
    wk = Area.objects.create(code="WK999901", level="WK", name="W", parent=gm, municipality=gm)
    bu = Area.objects.create(code="BU99990101", level="BU", name="B", parent=wk, municipality=gm)
    u = services.register_user(email="A@X.nl ", display_name="A", home_neighbourhood=bu)
    assert u.email == "a@x.nl"
    assert Membership.objects.filter(user=u, role=Role.RESIDENT, area=bu).count() == 1
    with pytest.raises(ValidationError):
        services.register_user(email="a@x.NL", display_name="B")
    org = services.get_or_create_organisation("Welzijn")
    assert services.get_or_create_organisation(" welzijn ") == org
    m1 = services.grant_role(u, wk, Role.PROFESSIONAL, organisation=org)
    assert services.grant_role(u, wk, Role.PROFESSIONAL, organisation=org) == m1
    with pytest.raises(ValidationError):
        services.grant_role(u, gm, Role.PROFESSIONAL)
