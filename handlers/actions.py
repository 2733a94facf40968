"""Buttons on the ownership thread, in Dibs's direct messages and on the Home tab, and the modal that asks
for proof of done.

Each click is recorded and answered from the database; private notes, direct messages and the
modal go out through the outbox after Slack's 200.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.delivery.outbox import ReplyTo, queue_call
from bot.editor.nominee import pass_nomination
from bot.editor.task_views import build_done_link_modal
from bot.editor.thread_view import SEATS_BLOCK
from bot.gifts.service import mark_by_id
from bot.reminders.stale import snooze_nudge
from bot.services import Services, replies
from bot.services.home import check_home_click, tell_on_home
from bot.slack.blocks import answered_message
from bot.slack.ids import LINK_INPUT, ActionId, BlockId, CallbackId
from bot.slack.payloads import clean_text, proof_task
from bot.staffing.seating import NOT_A_PERSON
from bot.tasks.errors import DibsError, NeedsLink
from handlers import clicks
from store.enums import GiftState, Purpose, Via

log = logging.getLogger(__name__)


def _settle_dm(services: Services, body: dict[str, Any], to: ReplyTo, said: str, undo: int | None = None) -> bool:
    """A button in a DM from Dibs worked: the message keeps its words and its buttons give way to Dibs's answer
    (with Undo, when the change can be undone), so it cannot be clicked again and the answer needs no message of
    its own. False when the click was not on such a message (then the answer goes as a reply)."""
    container, message = body.get("container") or {}, body.get("message") or {}
    if not clicks.in_dm(body) or container.get("is_ephemeral") or not container.get("message_ts"):
        return False
    block = str(((body.get("actions") or [{}])[0] or {}).get("block_id") or "")
    settled = answered_message(message.get("blocks") or [], str(message.get("text") or ""), said[:2000], undo, block)
    with services.transaction() as tx:
        queue_call(tx, team_id=to.team_id, channel_id=to.channel_id, recipient=to.user_id, purpose=Purpose.DM,
                   method="chat.update", args={"channel": to.channel_id, "ts": str(container["message_ts"]),
                                               **settled.as_kwargs()})  # fmt: skip
    return True


def _answered_in_dm(services: Services, body: dict[str, Any], act: Callable[[ReplyTo], str]) -> None:
    """Do what a button in Dibs's DM says; the message then says what happened (or, refused, a reply says why)."""
    to = clicks.reply_to(body)
    try:
        answer = act(to)
    except DibsError as error:
        replies.tell_in_dm(services, to, str(error))
        return
    if not _settle_dm(services, body, to, answer):
        replies.tell_in_dm(services, to, answer)


def _refuse(services: Services, to: ReplyTo, text: str, home: bool = False, dm: bool = False) -> None:
    """Why a click did nothing, where the person clicked: on the Home tab, in their DM, or as a private note."""
    if home:
        tell_on_home(services, to.team_id, to.user_id, text)
    elif dm:
        replies.tell_in_dm(services, to, text)
    else:
        replies.tell(services, to, text)


def _clicked(
    services: Services, body: dict[str, Any], act: Callable[..., replies.Outcome], in_dm_as_owner: bool = False
) -> None:
    """Do what a task's button says; the answer goes privately where the click was (a thread, the Home tab).

    With `in_dm_as_owner`, a click in a DM (Done or Release on "still on it?", which Dibs sent to the task's
    owners) acts like one on the Home tab: the task is found wherever it lives, private channels included
    (the rules still check who may), and the answer is a DM reply, since no thread shows what happened.
    """
    to, home, dm = clicks.reply_to(body), clicks.on_home(body), in_dm_as_owner and clicks.in_dm(body)
    anywhere = home or dm
    try:
        if home:
            check_home_click(services, to.team_id, clicks.task_id(body), to.user_id)
        outcome = act(services, to.team_id, clicks.task_id(body), to.user_id, Via.BUTTON,
                      reply_to=None if anywhere else to, seen_from=None if anywhere else to.channel_id)  # fmt: skip
        if home:
            tell_on_home(services, to.team_id, to.user_id, outcome.reply)
        elif dm and not _settle_dm(services, body, to, outcome.reply, outcome.undo):
            replies.tell_in_dm(services, to, outcome.reply)
    except NeedsLink as missing:
        _ask_for_proof(services, body, to, missing)
    except DibsError as error:
        _refuse(services, to, str(error), home=home, dm=dm)


def handle_claim_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "I'll take it": claim the task, or join its waitlist."""
    _clicked(services, body, replies.claim)
    ack()


def handle_release_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Release" (or "Leave waitlist") on the Home tab, or on "still on it?" in an owner's DM."""
    _clicked(services, body, replies.release, in_dm_as_owner=True)
    ack()


def handle_stale_snooze_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Snooze" on "still on it?": ask again one `nag.stale_claim_after` later; the answer is a DM reply."""
    _answered_in_dm(services, body, lambda to: snooze_nudge(services, to.team_id, clicks.task_id(body), to.user_id))
    ack()


def _ask_for_proof(services: Services, body: dict[str, Any], to: ReplyTo, missing: NeedsLink) -> None:
    """Queue the proof modal; if Slack will not open it (its trigger expires in 3 s), the note says how."""
    view = build_done_link_modal(missing.task, to.channel_id or missing.task.channel_id)
    with services.transaction() as tx:
        queue_call(
            tx, team_id=to.team_id, channel_id=to.channel_id or to.user_id, recipient=to.user_id, purpose=Purpose.MODAL,
            method="views.open", args={"trigger_id": body["trigger_id"], "view": view.to_dict()}, text=str(missing),
        )  # fmt: skip


def _finish_without_proof(
    svc: Services, team_id: str, task_id: int, user_id: str, via: Via, **where: Any
) -> replies.Outcome:
    return replies.finish(svc, team_id, task_id, user_id, via, None, **where)


def handle_done_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Done" (in the thread, on the Home tab, on "still on it?"): finish the task, or open the modal that
    asks for proof."""
    _clicked(services, body, _finish_without_proof, in_dm_as_owner=True)
    ack()


def handle_done_link_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services) -> None:
    """The proof-of-done modal: finish with the link, or show why not in the modal."""
    task_id = proof_task(str(view.get("private_metadata") or ""))
    if task_id is None:
        log.warning("refused a proof form whose private_metadata Dibs did not write: %r",
                    str(view.get("private_metadata"))[:200])  # fmt: skip
        ack(response_action="errors", errors={BlockId.LINK: "I could not read this form; click Done again."})
        return
    # Modal input arrives as typed: it is stored so, and escaped wherever it is shown.
    typed = (((view.get("state") or {}).get("values") or {}).get(BlockId.LINK) or {}).get(LINK_INPUT) or {}
    link = clean_text(str(typed.get("value") or "")).strip()
    try:
        replies.finish(services, body["team"]["id"], task_id, body["user"]["id"], Via.MODAL, link)
    except DibsError as error:
        ack(response_action="errors", errors={BlockId.LINK: str(error)[:150]})
        return
    ack()


def handle_nomination_taken(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Take it" in the DM that asked someone (rotation: fair)."""
    # It may have been taken meanwhile (a waitlist): the DM shows Dibs's answer.
    _answered_in_dm(services, body, lambda to: replies.claim(services, to.team_id, clicks.task_id(body), to.user_id,
                                                             Via.BUTTON).reply)  # fmt: skip
    ack()


def handle_nomination_passed(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Not me": the next person is asked; the thread never says who declined."""
    _answered_in_dm(services, body, lambda to: pass_nomination(services, to.team_id, clicks.task_id(body), to.user_id))
    ack()


def _answered(services: Services, body: dict[str, Any], act: Callable[[ReplyTo], replies.Outcome]) -> None:
    """Do what a button in a note, a direct message or the Home tab says; the answer goes privately where
    the click was (on the tab itself, for the Home tab)."""
    to, home = clicks.reply_to(body), clicks.on_home(body)
    try:
        outcome = act(to)
        if home:
            tell_on_home(services, to.team_id, to.user_id, outcome.reply)
        elif not _settle_dm(services, body, to, outcome.reply, outcome.undo):
            with services.transaction() as tx:
                replies.tell_others(tx, replace(outcome, quiet=False), to)
    except DibsError as error:
        _refuse(services, to, str(error), home=home)


def handle_seat_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "I'll take staff" (the value is `task id:role`): a seat of that role, or a place in its line."""
    seat = clicks.button_value(body).partition(":")[2][:40] or None

    def take(svc: Services, team_id: str, task_id: int, user_id: str, via: Via, **where: Any) -> replies.Outcome:
        return replies.claim(svc, team_id, task_id, user_id, via, seat=seat, **where)

    _clicked(services, body, take)
    ack()


def handle_offer_taken(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Take it" on a freed seat offered by direct message."""
    _answered(services, body, lambda to: replies.take_offer(services, to.team_id, clicks.task_id(body), to.user_id))
    ack()


def handle_offer_passed(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Pass": the next person in line is asked."""
    _answered(services, body, lambda to: replies.pass_offer(services, to.team_id, clicks.task_id(body), to.user_id))
    ack()


def handle_swap_accepted(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Accept" on a swap someone asked of you."""
    _answered(
        services, body, lambda to: replies.answer_swap(services, to.team_id, clicks.number(body), to.user_id, True)
    )
    ack()


def handle_swap_declined(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Decline": the seat stays with whoever asked."""
    _answered(
        services, body, lambda to: replies.answer_swap(services, to.team_id, clicks.number(body), to.user_id, False)
    )
    ack()


_PERSON = re.compile(r"[UW][A-Z0-9]{1,20}")


def handle_swap_picked(ack: Ack, body: dict[str, Any], context: BoltContext, services: Services) -> None:
    """ "Hand my seat to…" in the thread: ask the person picked privately, as `/dibs swap ID @them` does."""
    to = clicks.reply_to(body)
    first = (body.get("actions") or [{}])[0]
    block, picked = str(first.get("block_id") or ""), str(first.get("selected_user") or "")
    task_id = block.removeprefix(SEATS_BLOCK)
    try:
        readable = block.startswith(SEATS_BLOCK) and task_id.isdigit() and len(task_id) <= 9
        if not readable or not _PERSON.fullmatch(picked):
            raise DibsError("That picker no longer works; `/dibs swap ID @someone` asks someone to take your seat.")
        if picked == context.bot_user_id:
            raise DibsError(NOT_A_PERSON)  # Slack's picker cannot leave bots out
        asked = replies.ask_swap(services, to.team_id, int(task_id), to.user_id, picked, to.channel_id)
        replies.tell(services, to, asked.reply)
    except DibsError as error:
        replies.tell(services, to, str(error))
    ack()


def handle_undo_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """ "Undo" on the note after a change."""
    _answered(services, body, lambda to: replies.undo_change(services, to.team_id, clicks.number(body), to.user_id))
    ack()


def handle_gift_chosen(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """Delivered or Missed next to a recipient in `/dibs gift ID`."""
    to = clicks.reply_to(body)
    actions = body.get("actions") or [{}]
    chosen = str(((actions[0] if isinstance(actions[0], dict) else {}).get("selected_option") or {}).get("value") or "")
    parts = chosen.split(":")
    try:
        if (
            len(parts) != 3
            or not parts[0].isdigit()
            or not parts[1].isdigit()
            or parts[2] not in ("delivered", "missed")
        ):
            raise DibsError("That choice no longer works; `/dibs gift ID` shows the recipients again.")
        note = mark_by_id(services, to.team_id, int(parts[0]), int(parts[1]), to.user_id, GiftState(parts[2]))
    except DibsError as error:
        note = str(error)
    replies.tell(services, to, note)
    ack()


def register(app: App) -> None:
    """Listen for the buttons (in threads, DMs and on the Home tab), the proof modal and the gift choices."""
    app.action(ActionId.CLAIM)(handle_claim_clicked)
    app.action(ActionId.DONE)(handle_done_clicked)
    app.action(ActionId.RELEASE)(handle_release_clicked)
    app.action(ActionId.TAKE_NOMINATION)(handle_nomination_taken)
    app.action(ActionId.PASS_NOMINATION)(handle_nomination_passed)
    app.action(ActionId.GIFT)(handle_gift_chosen)
    app.action(re.compile(rf"^{ActionId.CLAIM_SEAT}_\d+$"))(handle_seat_clicked)
    app.action(ActionId.TAKE_OFFER)(handle_offer_taken)
    app.action(ActionId.PASS_OFFER)(handle_offer_passed)
    app.action(ActionId.ACCEPT_SWAP)(handle_swap_accepted)
    app.action(ActionId.DECLINE_SWAP)(handle_swap_declined)
    app.action(ActionId.UNDO)(handle_undo_clicked)
    app.action(ActionId.SWAP_PICK)(handle_swap_picked)
    app.action(ActionId.SNOOZE_STALE)(handle_stale_snooze_clicked)
    app.view(CallbackId.DONE_LINK)(handle_done_link_submitted)
