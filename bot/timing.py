"""When Dibs may speak: working hours, the nag clock, the escalation ladder, due dates, digests.

Pure functions of settings and times (aware datetimes in UTC in, UTC out), so the rules can be
tested with freezegun and without Slack or a database. Local times are computed in the
workspace time zone with zoneinfo, so a DST change moves nothing by an hour.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo

from bot.settings import Settings, WorkingHours


class Step(IntEnum):
    """How loud a reminder is: a plain thread reply, one that mentions the group, one that DMs the poster."""

    PLAIN = 0
    MENTION_GROUP = 1
    DM_POSTER = 2


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz)


def in_working_hours(moment: datetime, hours: WorkingHours, tz: ZoneInfo) -> bool:
    """Whether a reminder may be sent at `moment`."""
    if hours.always:
        return True
    local = _local(moment, tz)
    return local.weekday() in hours.days and hours.start <= local.time() < hours.end


def next_working_moment(moment: datetime, hours: WorkingHours, tz: ZoneInfo) -> datetime:
    """`moment` itself if it is inside working hours, else the start of the next working period."""
    if in_working_hours(moment, hours, tz):
        return moment
    local = _local(moment, tz)
    day = local.date()
    if local.time() >= hours.end or local.weekday() not in hours.days:
        day += timedelta(days=1)
    elif local.time() < hours.start:
        pass  # today, later this morning
    for _ in range(8):
        if day.weekday() in hours.days:
            return datetime.combine(day, hours.start, tzinfo=tz).astimezone(UTC)
        day += timedelta(days=1)
    raise ValueError("working_hours has no working day")  # the settings parser never allows this


def first_nag_at(open_since: datetime, settings: Settings) -> datetime:
    """When a task that opened (or reopened) at `open_since` gets its first reminder."""
    return next_working_moment(open_since + settings.nag.first_after, settings.working_hours, settings.tz)


def following_nag_at(sent_at: datetime, settings: Settings) -> datetime:
    """When the reminder after one sent at `sent_at` is due."""
    return next_working_moment(sent_at + settings.nag.every, settings.working_hours, settings.tz)


def escalation(open_since: datetime, now: datetime, settings: Settings) -> Step:
    """How far up the ladder a reminder for a task unclaimed since `open_since` goes."""
    waited = now - open_since
    if waited >= settings.nag.dm_poster_after:
        return Step.DM_POSTER
    if waited >= settings.nag.escalate_after:
        return Step.MENTION_GROUP
    return Step.PLAIN


def _due_start(settings: Settings) -> time:
    return settings.working_hours.start if not settings.working_hours.always else time(0, 0)


def due_moment(due_on: date, settings: Settings) -> datetime:
    """The start of the due day, in the workspace's time zone (working hours start, or midnight)."""
    return datetime.combine(due_on, _due_start(settings), tzinfo=settings.tz).astimezone(UTC)


def due_schedule(due_on: date, settings: Settings) -> list[datetime]:
    """Every due-date step in order: the reminders (`nag.due_reminders` before the due moment, by the
    local clock, moved into working hours), then the overdue step at local midnight after the due day.

    A reminder that working hours would push past the due day (a Sunday due date, say) is dropped.
    """
    local_due = datetime.combine(due_on, _due_start(settings))  # naive: wall-clock arithmetic, DST-proof
    overdue = day_passed(due_on, settings)
    reminders = {
        next_working_moment(
            (local_due - before).replace(tzinfo=settings.tz).astimezone(UTC), settings.working_hours, settings.tz
        )
        for before in settings.nag.due_reminders
    }
    return [*sorted(m for m in reminders if m < overdue), overdue]


def day_passed(day: date, settings: Settings) -> datetime:
    """The moment a date is over: local midnight after it (a task due that day turns overdue)."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=settings.tz).astimezone(UTC)


def due_steps_passed(due_on: date, now: datetime, settings: Settings) -> tuple[int, datetime | None]:
    """How many due-date steps are at or before `now`, and when the next one is (None: no more).

    Only the latest passed step is acted on: one reminder saying "due tomorrow" beats two
    arriving together after a restart or a late due date.
    """
    schedule = due_schedule(due_on, settings)
    passed = sum(1 for moment in schedule if moment <= now)
    return passed, schedule[passed] if passed < len(schedule) else None


def is_overdue(due_on: date | None, finished: bool, now: datetime, settings: Settings) -> bool:
    """A task is overdue from the day after its due date until it is done."""
    return bool(due_on) and not finished and _local(now, settings.tz).date() > due_on  # type: ignore[operator]


def local_day(now: datetime, settings: Settings) -> date:
    """Today in the workspace's time zone (ping budgets and digests count by it)."""
    return _local(now, settings.tz).date()


def digest_slot(day: date, settings: Settings) -> datetime:
    """The moment `day`'s digest falls due: `digest.at` that day, local time."""
    return datetime.combine(day, settings.digest.at, tzinfo=settings.tz)


def digest_due(now: datetime, settings: Settings) -> bool:
    """Whether today's digest is due: a digest day, at or after `digest.at` local time."""
    local = _local(now, settings.tz)
    return local.weekday() in settings.digest.days and local.time() >= settings.digest.at


def add_working_time(start: datetime, duration: timedelta, hours: WorkingHours, tz: ZoneInfo) -> datetime:
    """`duration` of working time after `start`: the clock runs only inside working hours (24h of offer
    from Friday 16:00, at 09:00-17:00 mon-fri, runs out three working days later at 16:00)."""
    if hours.always:
        return start + duration
    left, moment = duration, next_working_moment(start, hours, tz)
    for _ in range(3700):  # ten years of working days is more than any setting allows
        local = _local(moment, tz)
        day_ends = datetime.combine(local.date(), hours.end, tzinfo=tz).astimezone(UTC)
        if left <= day_ends - moment:
            return moment + left
        left -= day_ends - moment
        moment = next_working_moment(day_ends, hours, tz)
    raise ValueError("working time beyond ten years")


def event_moment(due_on: date | None, event_start: datetime | None, settings: Settings) -> datetime | None:
    """When an event starts: its time if it has one (`/dibs when`), else the start of its day's working hours."""
    if event_start is not None:
        return event_start
    return due_moment(due_on, settings) if due_on is not None else None


def offer_deadline(now: datetime, starts: datetime | None, settings: Settings) -> datetime:
    """When an offer of a freed seat made at `now` runs out: `offer_expires_after` of working time, but
    never past the event's start."""
    hours, tz = settings.working_hours, settings.tz
    until = add_working_time(now, settings.staffing.offer_expires_after, hours, tz)
    return min(until, starts) if starts is not None else until


def roster_moment(starts: datetime | None, now: datetime, settings: Settings) -> datetime | None:
    """When the roster goes into the thread: `roster.before` the event (now, if that has passed); None
    without a roster, or once the event has started."""
    before = settings.staffing.roster_before
    if before is None or starts is None or starts <= now:
        return None
    return max(starts - before, now)


def stale_nudge_at(quiet_since: datetime, settings: Settings) -> datetime | None:
    """When the owners of a claim quiet since `quiet_since` are asked "still on it?": `nag.stale_claim_after`
    later, moved into working hours (a Thursday-afternoon claim with 3d: Monday morning); None when off."""
    after = settings.nag.stale_claim_after
    if after is None:
        return None
    return next_working_moment(quiet_since + after, settings.working_hours, settings.tz)
