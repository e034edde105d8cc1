"""One contract, every CoachingStore backend (memory, TinyDB, PostgreSQL): grants, links,
names, export, forget and reconcile, and what one store writes a fresh one loads."""

from datetime import timedelta

from bot.coaching.model import CoachGrant, Person
from bot.coaching.store import CoachingStore
from tests.conftest import AT
from tests.storage.shared_backends import Stores, kind, stores

__all__ = ["kind", "stores"]  # fixtures

COACH, OTHER = "slack:T1:UCOACH", "slack:T1:UOTHER"
ALEX, SAM = "slack:T1:UALEX", "slack:T1:USAM"
LATER = AT + timedelta(hours=1)


async def loaded(made: Stores) -> CoachingStore:
    store = made.coaching_store()
    await store.load()
    return store


async def test_a_new_directory_is_empty(stores: Stores) -> None:
    store = await loaded(stores)
    assert store.coaches() == []
    assert not store.is_coach(COACH)
    assert store.link(COACH, ALEX) is None
    assert store.link_by_id("nope") is None
    assert store.links_of_coach(COACH) == []
    assert store.links_of_leader(ALEX) == []
    assert store.links_with_leader(ALEX) == []
    assert store.name_of(ALEX) == "UALEX"  # no name known: the platform id
    assert store.export_of(ALEX) == {"coaching_links": [], "coach_role": None}


async def test_granting_and_revoking_the_coach_role(stores: Stores) -> None:
    store = await loaded(stores)
    await store.grant(OTHER, "console:admin", LATER)
    await store.grant(COACH, "console:admin", AT)
    assert store.is_coach(COACH)
    assert store.coaches() == [
        CoachGrant(COACH, "console:admin", AT),
        CoachGrant(OTHER, "console:admin", LATER),
    ]
    assert (await loaded(stores)).coaches() == store.coaches()
    await store.revoke(OTHER)
    await store.revoke("slack:T1:NEVER")  # not a coach: nothing to do
    assert not store.is_coach(OTHER)
    again = await loaded(stores)
    assert [g.user for g in again.coaches()] == [COACH]


async def test_a_link_is_asked_answered_and_loaded_again(stores: Stores) -> None:
    store = await loaded(stores)
    link = await store.new_link(COACH, ALEX, AT)
    assert (link.status, link.created_at, link.updated_at) == ("pending", AT, AT)
    assert store.link(COACH, ALEX) == link
    assert store.link_by_id(link.id) == link
    accepted = await store.set_status(link, "accepted", LATER)
    asked = await store.mark_talk_asked(accepted, LATER)
    assert asked.talk_asked_at == LATER
    assert asked.status == "accepted"
    again = await loaded(stores)
    assert again.link(COACH, ALEX) == asked
    assert again.link_by_id(link.id) == asked


async def test_the_open_link_is_the_current_one_else_the_newest(stores: Stores) -> None:
    store = await loaded(stores)
    declined = await store.set_status(await store.new_link(COACH, ALEX, AT), "declined", AT)
    assert store.link(COACH, ALEX) == declined
    pending = await store.new_link(COACH, ALEX, LATER)
    assert store.link(COACH, ALEX) == pending
    assert store.links_with_leader(ALEX) == [declined, pending]  # every one, oldest first
    assert (await loaded(stores)).link(COACH, ALEX) == pending


async def test_links_of_a_coach_and_of_a_leader(stores: Stores) -> None:
    store = await loaded(stores)
    store.remember_name(ALEX, "Alex Smith")
    store.remember_name(SAM, "sam jones")
    sam = await store.set_status(await store.new_link(COACH, SAM, AT), "accepted", AT)
    alex = await store.new_link(COACH, ALEX, LATER)
    other = await store.set_status(await store.new_link(OTHER, SAM, LATER), "accepted", LATER)
    assert store.links_of_coach(COACH) == [alex, sam]  # open ones, by the leader's name
    assert store.links_of_coach(COACH, "accepted") == [sam]
    assert store.links_of_leader(SAM) == [sam, other]  # accepted, oldest first
    assert store.links_of_leader(ALEX) == []
    assert store.links_of_leader(ALEX, "pending") == [alex]
    removed = await store.set_status(alex, "removed", LATER)
    assert store.links_of_coach(COACH, "removed") == [removed]
    again = await loaded(stores)
    assert again.links_of_leader(SAM) == [sam, other]
    assert again.links_of_coach(COACH, "removed") == [removed]


async def test_names_are_known_at_once_and_kept_by_flush(stores: Stores) -> None:
    store = await loaded(stores)
    store.remember_name(ALEX, "Alex  Smith")
    store.remember_name(SAM, "")  # no name: nothing
    store.remember_name("teams:tenant2:UALEX", "Alex Smith")
    assert store.name_of(ALEX) == "Alex  Smith"
    assert store.people_named("alex smith", "slack", "T1") == [ALEX]
    assert store.people_named("Alex Smith", "teams", "tenant2") == ["teams:tenant2:UALEX"]
    assert store.people_named("Alex Smith", "slack", "T2") == []
    assert (await loaded(stores)).name_of(ALEX) == "UALEX"  # not written yet
    await store.flush()
    again = await loaded(stores)
    assert again.name_of(ALEX) == "Alex  Smith"
    assert again.people_named("ALEX SMITH", "slack", "T1") == [ALEX]
    store.remember_name(ALEX, "Alex Smith-Jones")
    await store.flush()
    await store.flush()  # nothing new: nothing written
    assert (await loaded(stores)).name_of(ALEX) == "Alex Smith-Jones"


async def test_the_export_holds_the_leaders_links_and_a_coachs_count(stores: Stores) -> None:
    store = await loaded(stores)
    store.remember_name(COACH, "Casey Coach")
    await store.grant(COACH, "console:admin", AT)
    link = await store.set_status(await store.new_link(COACH, ALEX, AT), "accepted", LATER)
    assert store.export_of(ALEX) == {
        "coaching_links": [
            {
                "coach": "Casey Coach",
                "status": "accepted",
                "asked_at": AT.isoformat(),
                "updated_at": LATER.isoformat(),
                "asked_to_talk_at": None,
            }
        ],
        "coach_role": None,
    }
    assert store.export_of(COACH) == {
        "coaching_links": [],
        "coach_role": {"granted_at": AT.isoformat(), "leaders": 1},
    }
    assert link.leader == ALEX


async def test_forgetting_a_user_drops_their_links_name_and_role(stores: Stores) -> None:
    store = await loaded(stores)
    store.remember_name(ALEX, "Alex Smith")
    store.remember_name(SAM, "Sam Jones")
    await store.flush()
    await store.grant(ALEX, "console:admin", AT)
    await store.new_link(COACH, ALEX, AT)
    await store.new_link(ALEX, SAM, AT)  # Alex as a coach
    kept = await store.new_link(COACH, SAM, AT)
    await store.forget(ALEX)
    for each in (store, await loaded(stores)):
        assert each.links_with_leader(ALEX) == []
        assert each.link(ALEX, SAM) is None
        assert each.links_with_leader(SAM) == [kept]
        assert each.name_of(ALEX) == "UALEX"
        assert each.name_of(SAM) == "Sam Jones"
        assert not each.is_coach(ALEX)


async def test_reconcile_takes_what_another_store_wrote_and_keeps_unsaved_names(
    stores: Stores,
) -> None:
    first, second = await loaded(stores), await loaded(stores)
    await first.grant(COACH, "console:admin", AT)
    link = await first.new_link(COACH, ALEX, AT)
    first.remember_name(ALEX, "Alex Smith")
    await first.flush()
    second.remember_name(SAM, "Sam Jones")  # learnt on the second, not yet written
    await second.reconcile()
    assert second.is_coach(COACH)
    assert second.link(COACH, ALEX) == link
    assert second.name_of(ALEX) == "Alex Smith"
    assert second.name_of(SAM) == "Sam Jones"
    assert (await loaded(stores)).name_of(SAM) == "Sam Jones"  # reconcile wrote it first
    await first.revoke(COACH)
    await first.forget(ALEX)
    await second.reconcile()
    assert not second.is_coach(COACH)
    assert second.link(COACH, ALEX) is None
    assert second.name_of(ALEX) == "UALEX"


async def test_the_backend_reads_one_row_as_stored(stores: Stores) -> None:
    store = await loaded(stores)
    await store.grant(COACH, "console:admin", AT)
    link = await store.new_link(COACH, ALEX, AT)
    store.remember_name(ALEX, "Alex Smith")
    await store.flush()
    assert await store.backend.read_coach(COACH) == CoachGrant(COACH, "console:admin", AT)
    assert await store.backend.read_coach(ALEX) is None
    assert await store.backend.read_link(link.id) == link
    assert await store.backend.read_link("nope") is None
    assert await store.backend.read_person(ALEX) == Person(ALEX, "Alex Smith")
    assert await store.backend.read_person(SAM) is None
