import pytest
from django.test import Client


@pytest.mark.django_db
def test_home_page_speaks_dutch_by_default(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="nl"' in response.content.decode()
    assert "Welkom bij Buurtbasis" in response.content.decode()
