"""`/dibs settings`: a workspace's own time zone, working hours and digest time, over the settings file's.

Anyone may look; changing is for the admins (the `admins:` group when the settings name one, else
anyone in the workspace, as for `/dibs watch` and `/dibs route`). A change applies from the next
scheduler tick: reminders are sent by the new working hours, digests at the new time, and the due-date
reminders of the workspace's tasks are planned again by the new clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.installs.phrases import suggestion_lines
from bot.intake.channels import check_admin
from bot.settings import Settings, SettingsError
from bot.settings.labels import kind_in_sentence, kind_label
from bot.settings.workspace import KEYS, describe, parse_value
from bot.slack.text import escape
from bot.tasks.errors import DibsError
from bot.tasks.kinds import kind_named
from store.queries.routes import claimer_routes, clear_claimer_route, clear_route, set_claimer_route, set_route
from store.queries.tasks import replan_due_dates
from store.queries.workspaces import clear_setting, set_setting, setting_rows

if TYPE_CHECKING:
    from bot.services import Services

HOW = "`/dibs settings KEY VALUE` changes one here; `default` goes back to the settings file's."


def settings_text(svc: Services, team_id: str, user_id: str) -> str:
    """What `/dibs settings` shows: each value in force here and where it comes from; for the admins (`user_id`),
    the phrases suggested from posts tracked by hand."""
    with svc.read() as session:
        here = svc.settings_for(team_id, session)
        own = {row.key: row for row in setting_rows(session, team_id)}
        admin = svc.admins.allows(team_id, user_id)
        suggested = suggestion_lines(svc, team_id, session) if admin else []
        routed = {kind: group for _, kind, group in claimer_routes(session, team_id)}
    lines = ["*Dibs's settings in this workspace*"]
    for key in KEYS:
        row = own.get(key)
        source = f"set here by <@{row.set_by}> on {row.set_at:%Y-%m-%d}" if row else "the settings file's"
        lines.append(f"• `{key}`: {describe(key, here)} ({source})")
    lines += [HOW, "Which user group a kind asks: `/dibs route KIND @group`."]
    lines += _claimer_lines(here, routed)
    added = {
        k.name: [p for p in k.phrases if p not in (svc.settings.kind(k.name) or k).phrases] for k in here.kinds.values()
    }
    shown = [
        f"{kind_label(here, name)}: " + ", ".join(f"'{escape(p)}'" for p in extra)
        for name, extra in added.items()
        if extra
    ]
    if shown:  # `/dibs settings dismiss KIND "words"` takes one out again
        lines.append("Phrases added here: " + "; ".join(shown) + ".")
    if suggested:
        lines += ["*Suggested phrases*", *suggested]
    return "\n".join(lines)


def change_setting(svc: Services, team_id: str, user_id: str, key: str, value: str | None) -> str:
    """Set (or, with None, clear) one of the workspace's own settings; the answer for the person who asked."""
    check_admin(svc, team_id, user_id)
    if value is not None:
        try:
            value = parse_value(key, value)
        except SettingsError as error:
            raise DibsError(f"{error}. Nothing changed.") from None
    with svc.transaction() as tx:
        if value is None:
            changed = clear_setting(tx.session, team_id, key)
        else:
            set_setting(tx.session, team_id, key, value, user_id, tx.now)
            changed = True
        if changed and key in ("timezone", "working_hours"):
            replan_due_dates(tx.session, team_id, tx.now)
    svc.memo.forget(("settings", team_id))
    now_in_force = describe(key, svc.settings_for(team_id))
    if value is None:
        back = f"`{key}` is the settings file's again: {now_in_force}." if changed else f"`{key}` was not set here."
        return back if changed else f"{back} It is the settings file's: {now_in_force}."
    return f"`{key}` is {now_in_force} in this workspace from now on."


def _claimer_lines(settings: Settings, routed: dict[str, str]) -> list[str]:
    """Who may claim each kind that is not for anyone (`/dibs route KIND @group claimers`, `kinds.X.claimers`)."""
    shown = []
    for key, kind in settings.kinds.items():
        group = routed.get(key) or kind.claimers
        if group:
            source = "set here" if key in routed else "the settings file's"
            shown.append(f"{kind_label(settings, key)}: <!subteam^{group}> ({source})")
    if not shown:
        return []
    return ["Who may claim: " + "; ".join(shown) + ". `/dibs route KIND none claimers` clears one set here."]


def route(svc: Services, team_id: str, user_id: str, kind: str, group: str | None, claimers: bool = False) -> str:
    """`/dibs route`: set (or clear) a kind's owner group, or (`claimers`) the group who may claim its tasks; the
    answer for the person who asked."""
    check_admin(svc, team_id, user_id)
    kind = kind_named(svc.settings, kind).name  # its key, however the person wrote it
    label = kind_label(svc.settings, kind)
    if claimers:
        return _route_claimers(svc, team_id, user_id, kind, group)
    with svc.transaction() as tx:
        if group is None:
            cleared = clear_route(tx.session, team_id, kind)
            tx.forget(("route", team_id, kind))
            fallback = svc.settings.kinds[kind].owner_group
            back = f"<!subteam^{fallback}> from the settings file" if fallback else "no group (reminders say @here)"
            return f"{label} follow-ups go to {back} now." if cleared else f"{label} had no route set here."
        set_route(tx.session, team_id, kind, group, user_id, tx.now)
    svc.memo.forget(("route", team_id, kind))
    named = kind_in_sentence(svc.settings, kind)
    return f"New {named} follow-ups ask <!subteam^{group}>, and their reminders mention it."


def _route_claimers(svc: Services, team_id: str, user_id: str, kind: str, group: str | None) -> str:
    """`/dibs route KIND @group claimers` (or `none claimers`): who may claim the kind's tasks here."""
    label, admins = kind_label(svc.settings, kind), " and the admins" if svc.settings.admins else ""
    with svc.transaction() as tx:
        if group is None:
            cleared = clear_claimer_route(tx.session, team_id, kind)
        else:
            set_claimer_route(tx.session, team_id, kind, group, user_id, tx.now)
        tx.forget(("claimers", team_id, kind))
    if group is not None:
        return f"Only <!subteam^{group}>{admins} can claim {kind_in_sentence(svc.settings, kind)} follow-ups now."
    if not cleared:
        return f"{label} had no claimer group set here."
    fallback = svc.settings.kinds[kind].claimers
    who = f"only <!subteam^{fallback}>{admins} (the settings file's)" if fallback else "anyone"
    return f"{label} follow-ups can be claimed by {who} now."
