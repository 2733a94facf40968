"""What happens when someone acts on a task: one transaction that changes the task, records the Slack event it
came from, and queues what to tell whom. Returns the answer for the person who acted.

The thread reply follows by itself (every change bumps the task's version and the courier updates the reply);
direct messages and private notes go into the outbox in the same transaction, so nothing that was acknowledged
to Slack can be lost, and nothing here waits on Slack.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from bot.delivery.outbox import ReplyTo, queue_dm, queue_note
from bot.editor.words import linked_title, titled
from bot.intake.classify import date_in
from bot.intake.posts import open_announced_task
from bot.services import EventId, Services
from bot.services.outcome import Outcome
from bot.settings import Kind
from bot.staffing import claims, offers
from bot.staffing import seating as staffing
from bot.staffing.presence import away_now
from bot.tasks import event, service, undo
from bot.tasks.errors import DibsError
from bot.tasks.model import ClaimResult, ReleaseResult
from bot.tasks.rules import check_snooze
from bot.tasks.tx import Tx
from store.enums import Via


def tell_others(tx: Tx, outcome: Outcome, reply_to: ReplyTo | None) -> None:
    """Queue the outcome's reply as a private note, when it has somewhere to go (what the change means for
    others, the editor says)."""
    if reply_to is not None and outcome.reply and (not outcome.quiet or outcome.undo is not None):
        queue_note(tx, reply_to, outcome.as_message())


def tell(svc: Services, reply_to: ReplyTo, text: str) -> None:
    """A private note to someone, on its own (a refusal, after the action's transaction rolled back)."""
    with svc.transaction() as tx:
        queue_note(tx, reply_to, text)


def tell_in_dm(svc: Services, to: ReplyTo, text: str) -> None:
    """A direct message to someone who clicked a button in their DM with Dibs (it stays, unlike a note)."""
    with svc.transaction() as tx:
        queue_dm(tx, to.team_id, to.user_id, text)


QUEUED = (
    "Your claim on #{id} is in. Several people are claiming it right now: I'll tell you here in a moment "
    "whether you have a seat or a place in line."
)


def _claimed(result: ClaimResult, user_id: str) -> Outcome:
    task, seat, undo = result.task, result.seat, result.undo
    if result.outcome == "claimed":
        what = f"the {seat} seat on #{task.id}" if seat else f"#{task.id}"
        return Outcome(f"You own {what} now: {titled(task)} Thank you!", task, quiet=True, undo=undo)
    if result.outcome == "already_owner":
        return Outcome(f"You already own #{task.id}. `/dibs release {task.id}` lets it go.", None)
    line_of = next((s for s in task.seats_shown if user_id in s.waiting), task.seats_shown[0])
    position = line_of.waiting.index(user_id) + 1 if user_id in line_of.waiting else 1
    held = ", ".join([*(f"<@{u}>" for u in line_of.owners), *(f"<@{u}> (offered)" for u, _ in line_of.offered)])
    if seat is None:
        seats = f" ({line_of.seats} of {line_of.seats} seats)" if line_of.seats > 1 else ""
        line = f"#{task.id} is taken by {held}{seats}."
    elif line_of.seats == 1:
        line = f"The {seat} seat on #{task.id} is taken by {held}."
    else:
        line = f"All {line_of.seats} {seat} seats on #{task.id} are taken ({held})."
    if result.outcome == "already_waiting":
        return Outcome(f"{line} You are already number {position} on the waitlist.", None)
    return Outcome(
        f"{line} You are number {position} on the waitlist; when a seat frees up I'll offer it to you.", task, undo=undo
    )


def claim(
    svc: Services, team_id: str, task_id: int, user_id: str, via: Via,
    *, reply_to: ReplyTo | None = None, event: EventId | None = None, seen_from: str | None = None,
    seat: str | None = None,
) -> Outcome:  # fmt: skip
    """Take a seat (of the role asked for), or join its waitlist when every seat is taken. While another claim
    on the task is being seated, this one is kept and seated right after it, in arrival order (`QUEUED`): the
    claimant hears where they stand in a moment, where they claimed."""
    tell = reply_to or (ReplyTo(team_id, seen_from, user_id) if seen_from else None)
    with svc.transaction(event) as tx:
        if tell is not None and not claims.claim_at_once(tx, team_id, task_id):
            where = (tell.channel_id, tell.thread_ts)
            claims.queue_claim(tx, team_id, task_id, user_id, via, seen_from, seat, where)
            return Outcome(QUEUED.format(id=task_id), None, quiet=reply_to is not None)
        if tell is None:  # on the Home tab or in a DM: nowhere to say "in a moment", so it waits its turn
            tell_seated(tx, claims.seat_queued(tx, team_id, task_id, wait=True))
        outcome = _claimed(claims.claim_task(tx, team_id, task_id, user_id, via, seen_from, seat), user_id)
        tell_others(tx, outcome, reply_to)
    return outcome


def tell_seated(tx: Tx, seated: list[claims.Seated]) -> None:
    """Tell each claimant whose claim was queued where they stand now (or why it was refused)."""
    for request, result in seated:
        if request.tell_channel is None:
            continue
        to = ReplyTo(request.team_id, request.tell_channel, request.user_id, request.tell_thread)
        if isinstance(result, DibsError):
            queue_note(tx, to, str(result))
        else:
            queue_note(tx, to, _claimed(result, request.user_id).as_message())


def seat_queued(svc: Services) -> int:
    """Seat the claims kept while others were being seated (this process's, another's, one that stopped)."""
    seated = 0
    with svc.read() as session:
        waiting = claims.tasks_with_queued_claims(session)
    for team_id, task_id in waiting:
        with svc.transaction() as tx:
            done = claims.seat_queued(tx, team_id, task_id, wait=True)
            tell_seated(tx, done)
        seated += len(done)
    return seated


def _released(result: ReleaseResult) -> Outcome:
    task = result.task
    if result.outcome == "not_claimed":
        return Outcome(f"You don't own #{task.id} and are not on its waitlist, so there is nothing to release.")
    if result.outcome == "left_waitlist":
        return Outcome(f"You left the waitlist for #{task.id}.", task, quiet=True, undo=result.undo)
    return Outcome(f"You let go of #{task.id}.", task, quiet=True, undo=result.undo)


def release(
    svc: Services, team_id: str, task_id: int, user_id: str, via: Via,
    *, reply_to: ReplyTo | None = None, event: EventId | None = None, seen_from: str | None = None,
) -> Outcome:  # fmt: skip
    """Let go of a task (or leave its waitlist); the first in line gets the slot. Claims queued before it are
    seated first (a claim and its release, a moment apart, stay in that order)."""
    with svc.transaction(event) as tx:
        tell_seated(tx, claims.seat_queued(tx, team_id, task_id, wait=True))
        outcome = _released(claims.release_claim(tx, team_id, task_id, user_id, via, seen_from))
        tell_others(tx, outcome, None if via == Via.REACTION and outcome.task is None else reply_to)  # never held
    return outcome


def finish(
    svc: Services, team_id: str, task_id: int, user_id: str, via: Via, link: str | None,
    *, reply_to: ReplyTo | None = None, event: EventId | None = None, seen_from: str | None = None,
) -> Outcome:  # fmt: skip
    """Mark a task done (with proof where its kind needs it; else NeedsLink)."""
    with svc.transaction(event) as tx:
        task = service.complete_task(tx, team_id, task_id, user_id, via, link=link, seen_from=seen_from)
        outcome = Outcome(f"#{task.id} is done. Thank you!", task, quiet=True, undo=task.undo)
        tell_others(tx, outcome, reply_to)
    return outcome


def assign(
    svc: Services, team_id: str, task_id: int, actor: str, target: str, via: Via, seen_from: str | None = None
) -> Outcome:
    """Hand a task over to `target` and tell them."""
    with svc.transaction() as tx:
        result = claims.assign_task(tx, team_id, task_id, actor, target, via, seen_from)
    gave = " your slot" if result.replaced else ""
    return Outcome(f"You handed{gave} #{result.task.id} to <@{target}>.", result.task, undo=result.undo)


def new_task(
    svc: Services,
    team_id: str,
    channel_id: str,
    user_id: str,
    kind: Kind,
    title: str,
    response_url: str | None,
    private: bool = False,
) -> Outcome:
    """`/dibs new`: open the task and queue its announcement; its thread follows once the post is up."""
    with svc.transaction() as tx:
        task = open_announced_task(
            tx, team_id=team_id, channel_id=channel_id, kind=kind, title=title, posted_by=user_id,
            source=Via.COMMAND, due_on=date_in(title, tx.now, tx.settings_for(team_id)), private=private,
            response_url=response_url,
        )  # fmt: skip
    return Outcome(f"Posted #{task.id}; its thread asks who owns it.", task)


def snooze(
    svc: Services, team_id: str, task_id: int, user_id: str, pause: timedelta, seen_from: str | None = None
) -> Outcome:
    """Pause one task's reminders."""
    check_snooze(pause)  # before the sum: a pause of centuries would not fit in a date
    with svc.transaction() as tx:
        task = service.snooze_task(tx, team_id, task_id, user_id, tx.now + pause, seen_from)
    until = task.snoozed_until
    assert until is not None
    return Outcome(f"No reminders for #{task.id} until {until:%a %d %b %H:%M} UTC.", task)


def set_due(
    svc: Services, team_id: str, task_id: int, user_id: str, due_on: date | None, seen_from: str | None = None
) -> Outcome:
    """Give a task a due date (its owners are reminded before it) or clear it."""
    with svc.transaction() as tx:
        task = service.set_due_date(tx, team_id, task_id, user_id, due_on, seen_from)
    if due_on is None:
        return Outcome(f"#{task.id} has no due date now.", task)
    days = ", ".join(f"{int(d.total_seconds() // 86400)}d" for d in svc.settings.nag.due_reminders) or "no"
    return Outcome(f"#{task.id} is due {due_on:%a %d %b %Y}; its owners get reminders ({days} before).", task)


def take_offer(svc: Services, team_id: str, task_id: int, user_id: str) -> Outcome:
    """Take it: the seat offered to `user_id` is theirs."""
    with svc.transaction() as tx:
        task = offers.take_offer(tx, team_id, task_id, user_id, Via.BUTTON)
    return Outcome(f"The seat on #{task.id} {linked_title(task)} is yours now. Thank you!", task, undo=task.undo)


def pass_offer(svc: Services, team_id: str, task_id: int, user_id: str) -> Outcome:
    """Pass: the next person in line is asked."""
    with svc.transaction() as tx:
        task = offers.pass_offer(tx, team_id, task_id, user_id, Via.BUTTON)
    return Outcome(f"You passed on the seat on #{task.id}; I asked the next person in line, if there is one.", task)


def undo_change(svc: Services, team_id: str, undo_id: int, user_id: str) -> Outcome:
    """Undo: the task's people as they were before the change."""
    with svc.transaction() as tx:
        task = undo.undo(tx, team_id, undo_id, user_id)
    return Outcome(f"Undone: #{task.id} is as it was before.", task)


def ask_swap(svc: Services, team_id: str, task_id: int, user_id: str, target: str, seen_from: str | None) -> Outcome:
    """`/dibs swap ID @someone`: they are asked privately; the seat moves once they accept."""
    with svc.transaction() as tx:
        task = staffing.ask_swap(tx, team_id, task_id, user_id, target, seen_from)
        why = away_now(tx, team_id, target)  # asked anyway: they may answer when back
    later = f" They are {why.words}, so the answer may take a while." if why else ""
    return Outcome(
        f"I asked <@{target}> privately to take your seat on #{task.id}; it stays yours until they accept.{later}"
    )


def answer_swap(svc: Services, team_id: str, swap_id: int, user_id: str, accept: bool) -> Outcome:
    """Accept or Decline, in the DM that asked."""
    with svc.transaction() as tx:
        task, asker = staffing.answer_swap(tx, team_id, swap_id, user_id, accept)
    if not accept:
        return Outcome(f"Declined: the seat on #{task.id} stays with <@{asker}>.", task)
    return Outcome(f"The seat on #{task.id} is yours now. Thank you!", task, undo=task.undo)


def take_over(
    svc: Services, team_id: str, task_id: int, actor: str, from_user: str, to_user: str, seen_from: str | None
) -> Outcome:
    """`/dibs swap ID @from @to` by an admin or the poster: the seat moves now."""
    is_admin = svc.admins.group is not None and svc.admins.allows(team_id, actor) is True
    with svc.transaction() as tx:
        task = staffing.take_over(tx, team_id, task_id, actor, is_admin, from_user, to_user, seen_from)
    return Outcome(f"<@{to_user}> has <@{from_user}>'s seat on #{task.id} now; I told them both.", task, undo=task.undo)


def set_when(
    svc: Services, team_id: str, task_id: int, user_id: str, day: date, hours: tuple[time, time] | None,
    place: str | None, seen_from: str | None,
) -> Outcome:  # fmt: skip
    """`/dibs when ID DAY [HH:MM-HH:MM] [at PLACE]`."""
    with svc.transaction() as tx:
        task = staffing.set_event_time(tx, team_id, task_id, user_id, day, hours, place, seen_from)
        when = event.when_text(task, tx.settings_for(team_id)).removeprefix(" · ")
    owners = " Its owners get updated calendar entries." if task.owners else ""
    return Outcome(f"#{task.id} is on {when}.{owners}", task, undo=task.undo)


def set_roles(
    svc: Services, team_id: str, task_id: int, user_id: str, counts: list[tuple[str, int]], seen_from: str | None
) -> Outcome:
    """`/dibs roles ID staff=3`."""
    with svc.transaction() as tx:
        task = staffing.set_roles(tx, team_id, task_id, user_id, counts, seen_from)
    shown = ", ".join(f"{s.name} {s.seats}" for s in task.seating)
    return Outcome(f"#{task.id} now has seats for {shown}.", task, undo=task.undo)
