"""Messages on the platform, contact details only when both agree, blocks both ways, agreeing,
thanks and the bloemetje — every action in the audit log."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from buurtbasis.accounts.models import User
from buurtbasis.core.models import AuditEvent
from buurtbasis.mutualhelp import services
from buurtbasis.mutualhelp.models import Conversation, Message, Nomination, Post, Thanks

from .conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(
    world: World, make_person: Callable[..., User], make_post: Callable[..., Post]
) -> tuple[User, User, Post]:
    sanne = make_person("Sanne")
    kees = make_person("Kees", north=150, categories=["moving"])
    return sanne, kees, make_post(sanne)


def test_reply_agree_thank_and_close(pair: tuple[User, User, Post]) -> None:
    sanne, kees, post = pair
    conversation, first = services.start_conversation(kees, post, body="Ik kan zaterdag helpen.")
    assert conversation.participant == kees and not first.from_post_side
    post.refresh_from_db()
    assert post.first_reply_at is not None
    # Thanking needs a message from both sides.
    with pytest.raises(ValidationError):
        services.thank(sanne, conversation, text="Dank")
    services.send_message(sanne, conversation, "Fijn, om 10 uur?")
    services.agree(sanne, conversation)
    post.refresh_from_db()
    assert post.status == Post.Status.AGREED and post.agreed_with == conversation
    with pytest.raises(PermissionDenied):
        services.agree(kees, conversation)

    thanks = services.thank(
        sanne, conversation, text="Top!", nominate=True, reason="Altijd behulpzaam"
    )
    post.refresh_from_db()
    assert post.status == Post.Status.CLOSED
    assert thanks.to_user == kees and thanks.from_post_side
    nomination = Nomination.objects.get()
    assert nomination.nominee == kees and nomination.nominated_by == sanne
    assert nomination.month == timezone.localdate().replace(day=1)
    back = services.thank(kees, conversation, text="Graag gedaan")
    assert back.to_user == sanne
    with pytest.raises(ValidationError):
        services.thank(kees, conversation, text="Nog eens")
    assert Thanks.objects.count() == 2

    actions = list(AuditEvent.objects.values_list("action", flat=True))
    for action in (
        "mutualhelp.conversation_start",
        "mutualhelp.message_send",
        "mutualhelp.post_agree",
        "mutualhelp.thank",
        "mutualhelp.nominate",
        "mutualhelp.post_close",
    ):
        assert action in actions
    assert actions.count("mutualhelp.message_send") == 2
    # Message texts never go into the audit log.
    assert not AuditEvent.objects.filter(detail__icontains="zaterdag").exists()


def test_contact_details_only_when_both_agree(pair: tuple[User, User, Post]) -> None:
    from buurtbasis.accounts import services as accounts

    sanne, kees, post = pair
    accounts.update_profile(
        kees,
        actor=kees,
        display_name="Kees",
        home_neighbourhood=kees.home_neighbourhood,
        phone="06 11 22 33 44",
    )
    conversation, _m = services.start_conversation(kees, post, body="Hoi")
    assert services.contact_details(sanne, conversation) is None
    services.share_contact(sanne, conversation, True)
    assert services.contact_details(sanne, conversation) is None
    assert services.contact_details(kees, conversation) is None
    services.share_contact(kees, conversation, True)
    conversation.refresh_from_db()
    seen_by_sanne = services.contact_details(sanne, conversation)
    assert seen_by_sanne is not None and seen_by_sanne.phone == "06 11 22 33 44"
    seen_by_kees = services.contact_details(kees, conversation)
    assert seen_by_kees is not None and seen_by_kees.email == sanne.email
    assert AuditEvent.objects.filter(action="mutualhelp.contact_read").count() == 2
    # Withdrawing hides them again.
    services.share_contact(kees, conversation, False)
    conversation.refresh_from_db()
    assert services.contact_details(sanne, conversation) is None


def test_outsiders_cannot_read_or_write(
    pair: tuple[User, User, Post], make_person: Callable[..., User]
) -> None:
    sanne, kees, post = pair
    conversation, _m = services.start_conversation(kees, post, body="Hoi")
    stranger = make_person("Vreemde")
    for call in (
        lambda: services.send_message(stranger, conversation, "hallo"),
        lambda: services.contact_details(stranger, conversation),
        lambda: services.share_contact(stranger, conversation, True),
        lambda: services.thank(stranger, conversation),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert Message.objects.count() == 1


@pytest.mark.parametrize("who_blocks", ["asker", "helper"])
def test_no_messages_across_a_block_in_either_direction(
    pair: tuple[User, User, Post], who_blocks: str
) -> None:
    sanne, kees, post = pair
    conversation, _m = services.start_conversation(kees, post, body="Hoi")
    blocker, blocked = (sanne, kees) if who_blocks == "asker" else (kees, sanne)
    services.block(blocker, blocked)
    before = Message.objects.count()
    for sender in (sanne, kees):
        with pytest.raises(ValidationError) as info:
            services.send_message(sender, conversation, "Nog iets")
        assert "geblokkeerd" in str(info.value)
    assert Message.objects.count() == before
    assert AuditEvent.objects.filter(action="mutualhelp.message_send", result="denied").count() == 2
    # Nor a new conversation, nor agreeing.
    with pytest.raises(ValidationError):
        services.agree(sanne, conversation)
    other_post = services.create_post(
        blocked,
        direction="offer",
        category="moving",
        title="Tillen",
        neighbourhood=post.neighbourhood,
    )
    with pytest.raises(ValidationError):
        services.start_conversation(blocker, other_post, body="Hallo")
    # And neither is a candidate for the other.
    assert blocked.pk not in {c.user_id for c in services.candidates_for(sanne, post)}
    services.unblock(blocker, blocked)
    services.send_message(sanne, conversation, "Weer goed")


def test_the_post_side_contacts_a_candidate(pair: tuple[User, User, Post]) -> None:
    sanne, kees, post = pair
    candidates = services.candidates_for(sanne, post)
    assert [c.user_id for c in candidates] == [kees.pk]
    conversation, message = services.start_conversation(
        sanne, post, body="Kun je helpen?", participant=kees
    )
    assert message.from_post_side and conversation.participant == kees
    post.refresh_from_db()
    assert post.first_reply_at is None  # the asker writing is not an answer
    with pytest.raises(PermissionDenied):
        services.candidates_for(kees, post)


def test_messages_need_text_and_an_open_post(pair: tuple[User, User, Post]) -> None:
    sanne, kees, post = pair
    with pytest.raises(ValidationError) as info:
        services.start_conversation(kees, post, body="   ")
    assert "Schrijf een bericht" in str(info.value)
    with pytest.raises(ValidationError):
        services.start_conversation(sanne, post, body="aan mezelf")
    services.withdraw_post(sanne, post)
    with pytest.raises(ValidationError):
        services.start_conversation(kees, post, body="Hoi")
    assert Conversation.objects.count() == 0


def test_the_helper_receives_and_answers_for_someone_without_internet(
    world: World, assisted: User, make_person: Callable[..., User]
) -> None:
    post = services.create_post(
        world.worker,
        owner=assisted,
        direction="request",
        category="shopping",
        title="Boodschappen",
        neighbourhood=world.bu,
    )
    kees = make_person("Kees")
    conversation, _m = services.start_conversation(kees, post, body="Ik ga dinsdag.")
    assert conversation in services.conversations_of(world.worker)
    assert services.side_of(world.worker, conversation) == "post"
    reply = services.send_message(world.worker, conversation, "Mevrouw Jansen zegt: graag!")
    assert reply.sender == world.worker and reply.from_post_side
    services.share_contact(world.worker, conversation, True)
    services.share_contact(kees, conversation, True)
    conversation.refresh_from_db()
    details = services.contact_details(kees, conversation)
    assert details is not None
    assert details.name == "Mevrouw Jansen" and details.phone == "030 999 8888"
    assert details.via_name == world.worker.display_name


def test_bloemetje_award_by_the_community_worker_only(
    world: World, pair: tuple[User, User, Post]
) -> None:
    sanne, kees, post = pair
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.award_bloemetje(world.worker, world.bu, today, kees, "Goed bezig")  # no nomination
    services.nominate_bloemetje(sanne, kees, reason="Helpt altijd")
    with pytest.raises(ValidationError):
        services.nominate_bloemetje(sanne, kees)  # once a month
    with pytest.raises(ValidationError):
        services.nominate_bloemetje(sanne, sanne)
    with pytest.raises(PermissionDenied):
        services.award_bloemetje(world.other_worker, world.bu, today, kees, "Goed")
    with pytest.raises(ValidationError):
        services.award_bloemetje(world.worker, world.bu, today, kees, "  ")
    award = services.award_bloemetje(world.worker, world.bu, today, kees, "Tilt alles")
    assert services.current_bloemetje(world.bu) == award and not award.name_public
    with pytest.raises(ValidationError):
        services.award_bloemetje(world.worker, world.bu, today, kees, "Nog een")
    with pytest.raises(PermissionDenied):
        services.set_bloemetje_name_public(sanne, award, True)
    services.set_bloemetje_name_public(kees, award, True)
    award.refresh_from_db()
    assert award.name_public
    assert [n.nominee for n in services.nominations_for(world.worker)] == [kees]
    assert list(services.nominations_for(world.other_worker)) == []
