"""The demo story: the cupboard, three nearby candidates, messages, thanks both ways, a post
for a neighbour without internet, the card — and loading twice changes nothing."""

from __future__ import annotations

import pytest

from buurtbasis.accounts.models import User
from buurtbasis.mutualhelp import pdf, services
from buurtbasis.mutualhelp.demo import load_demo_mutualhelp
from buurtbasis.mutualhelp.models import Post, Report, Thanks

from .conftest import World

pytestmark = pytest.mark.django_db


def test_the_demo_tells_the_whole_story(world: World) -> None:
    result = load_demo_mutualhelp(world.gm)
    assert result["created"]
    people = result["people"]
    sanne, kees = people["sanne"], people["kees"]

    cupboard = result["cupboard"]
    assert cupboard.status == Post.Status.CLOSED
    candidates = result["candidates"]
    assert len(candidates) == 3
    assert {c.user_id for c in candidates} == {kees.pk, people["fatima"].pk, people["bram"].pk}
    assert all(c.distance_m <= cupboard.radius_m for c in candidates)
    assert candidates[0].user_id == kees.pk

    conversation = result["conversation"]
    assert conversation.participant == kees and conversation.contact_shared
    thanks = Thanks.objects.filter(conversation=conversation)
    assert {(t.from_user_id, t.to_user_id) for t in thanks} == {
        (sanne.pk, kees.pk),
        (kees.pk, sanne.pk),
    }
    # The open sofa request shows the same three candidates now.
    sofa_candidates = services.candidates_for(sanne, result["sofa"])
    assert len(sofa_candidates) == 3

    jansen_request = result["jansen_request"]
    assert jansen_request.owner == people["jansen"] and jansen_request.on_behalf
    assert jansen_request.created_by == result["worker"]
    assert result["lonely"].flagged_unanswered_at is not None
    assert Report.objects.filter(status="open").count() == 1
    html = pdf.render_html(cupboard.neighbourhood, "a6")
    assert "Ik help met tillen en sjouwen" in html
    assert result["worker"].phone and result["worker"].phone in html
    assert services.current_bloemetje(cupboard.neighbourhood) is not None

    # Every neighbourhood has something to show.
    for area in (world.bu, world.bu2, world.other_bu):
        assert (
            services.neighbourhood_posts(area, "offer").exists()
            or services.neighbourhood_posts(area, "request").exists()
        )

    posts, users = Post.objects.count(), User.objects.count()
    again = load_demo_mutualhelp(world.gm)
    assert again["created"] is False
    assert (Post.objects.count(), User.objects.count()) == (posts, users)
