"""Who a leader is to their peers: `organisation` and `about`, kept on their Profile.

The organisation is matched against content/organisations.yaml (dialogs/organisations.py)
and the leader is told what it matched, or that it is kept as typed. Both are screened like
every message: a line holding an NHS number is not saved."""

from dialogs import texts
from dialogs.commands import AboutCommand, OrganisationCommand
from dialogs.content_model import Content
from dialogs.draft import Draft
from dialogs.organisations import match_organisation, tidy
from dialogs.screening import holds_nhs_number

ORGANISATION_MAX = 120
ABOUT_MAX = 280


def run(draft: Draft, content: Content, command: OrganisationCommand | AboutCommand) -> None:
    if isinstance(command, OrganisationCommand):
        organisation(draft, content, command)
    else:
        about(draft, content, command)


def organisation(draft: Draft, content: Content, command: OrganisationCommand) -> None:
    copy = content.profile
    current = draft.state.profile.organisation
    if command.clear:
        draft.update_profile(organisation=None, organisation_key=None)
        draft.say(copy.get("organisation_cleared"))
    elif command.name is None:
        draft.say(
            copy.get("organisation_is", organisation=current)
            if current
            else copy.get("organisation_none")
        )
    else:
        save_organisation(draft, content, command.name)


def save_organisation(draft: Draft, content: Content, said: str) -> bool:
    """Match and keep the organisation, saying which it matched; False (and why) when it is
    not kept."""
    copy = content.profile
    typed = tidy(said)
    if holds_nhs_number(typed):
        draft.say(texts.NHS_NUMBER)
        return False
    if len(typed) > ORGANISATION_MAX:
        draft.say(copy.get("organisation_too_long", length=len(typed), limit=ORGANISATION_MAX))
        return False
    found = match_organisation(typed, content.organisations)
    if not found.key:
        draft.say(copy.get("organisation_none"))
        return False
    draft.update_profile(organisation=found.name, organisation_key=found.key)
    if found.organisation is not None:
        draft.say(copy.get("organisation_matched", organisation=found.name))
    elif found.several:
        draft.say(copy.get("organisation_several", organisation=found.name))
    else:
        draft.say(copy.get("organisation_as_typed", organisation=found.name))
    return True


def about(draft: Draft, content: Content, command: AboutCommand) -> None:
    copy = content.profile
    current = draft.state.profile.about
    if command.clear:
        draft.update_profile(about=None)
        draft.say(copy.get("about_cleared"))
        return
    if command.text is None:
        draft.say(copy.get("about_is", about=current) if current else copy.get("about_none"))
        return
    line = " ".join(command.text.split())
    if holds_nhs_number(line):
        draft.say(texts.NHS_NUMBER)
    elif len(line) > ABOUT_MAX:
        draft.say(copy.get("about_too_long", length=len(line), limit=ABOUT_MAX))
    else:
        draft.update_profile(about=line)
        draft.say(copy.get("about_saved", about=line))
