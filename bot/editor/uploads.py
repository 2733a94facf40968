"""The uploads made as they are sent: the weekly chart (drawn now, from the series stored with the row)
and `/dibs export` (written now, sent to the person's DM with Dibs)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.delivery.calls import Call
from bot.insight.chart import render_chart, series_of
from bot.insight.export import as_csv, export_records
from bot.insight.weekly import CHART_TITLE
from bot.slack.text import plural
from store.queries.stats import scope

if TYPE_CHECKING:
    from bot.services import Services


def chart_call(client: WebClient, svc: Services, call: Call, now: datetime) -> Call:
    """files_upload_v2 of the chart PNG into the channel, right after its digest."""
    args = call.kwargs
    weeks = series_of(args["series"])
    png = render_chart(weeks, CHART_TITLE, svc.settings)
    alt = "; ".join(f"week of {w.start:%d %b}: {w.fell_through} fell through" for w in weeks[-2:])
    return replace(
        call,
        kwargs={"channel": call.channel_id, "content": png, "filename": f"dibs-week-{args['day']}.png",
                "title": "Dibs: the last 8 weeks", "alt_txt": f"Time to claim per kind and follow-ups that fell "
                f"through, the last 8 weeks ({alt})"},
    )  # fmt: skip


def export_call(client: WebClient, svc: Services, call: Call, now: datetime) -> Call:
    """files_upload_v2 of the CSV into the DM of the person who asked (conversations.open finds it)."""
    args, user = call.kwargs, call.recipient or call.channel_id
    until = datetime.fromisoformat(args["until"])
    since = until - timedelta(days=int(args["days"])) if args.get("days") else None
    seen_from = str(args["seen_from"])
    where = scope(call.team_id, seen_from if args.get("here_only") else None, seen_from)
    with svc.read() as session:
        records = export_records(session, where, since)
    dm = client.conversations_open(users=user)
    channel = str((dm.get("channel") or {}).get("id") or "")
    period = f"the last {args['days']} days" if args.get("days") else "every task"
    day = date.fromisoformat(args["until"][:10])
    return replace(
        call,
        kwargs={"channel": channel, "content": as_csv(records).encode(), "filename": f"dibs-export-{day}.csv",
                "title": f"Dibs export, {period}", "initial_comment": f"Your export: {plural(len(records), 'task')}, "
                f"{period}, with who did what and when."},
    )  # fmt: skip
