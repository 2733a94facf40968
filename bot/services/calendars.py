"""`/dibs calendars`, `/dibs calendar add`, `/dibs calendar remove`: a team calendar's events announced in the
channel. The calendar is read later, by the poll job (`bot.intake.feeds`), never on the request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.editor.team_calendars import calendars_text
from bot.intake.calendars import add_channel_calendar, channel_calendars, remove_channel_calendar
from bot.settings.labels import kind_in_sentence
from bot.slack import commands as cmd
from bot.slack.text import escape

if TYPE_CHECKING:
    from bot.services import Services


def calendar_command(svc: Services, team_id: str, channel_id: str, user_id: str, command: cmd.Command) -> str:
    """The answer to one of the calendar subcommands (only the person who asked sees it)."""
    where = f"<#{channel_id}>"
    match command:
        case cmd.AddCalendar(url, kind, words):
            added, key = add_channel_calendar(svc, team_id, channel_id, user_id, url, kind, words)
            if not added:
                return f"{where} already reads that calendar; `/dibs calendars` lists it."
            naming = f" whose title names {', '.join(f'“{escape(w)}”' for w in words)}" if words else ""
            return (
                f"New events{naming} in that calendar will be announced in {where} as "
                f"{kind_in_sentence(svc.settings, key)} tasks (not the ones there now); moved and cancelled ones "
                "follow."
            )
        case cmd.RemoveCalendar(calendar_id):
            if remove_channel_calendar(svc, team_id, channel_id, user_id, calendar_id) is not None:
                return f"{where} no longer reads calendar `{calendar_id}`; its tasks stay."
            return (
                f"{where} has no calendar `{calendar_id}` added from Slack (`/dibs calendars` lists them; calendars "
                "in the settings file stay)."
            )
    return calendars_text(channel_calendars(svc, team_id, channel_id), svc.now(), channel_id, svc.settings)
