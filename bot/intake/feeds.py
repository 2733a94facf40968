"""Blog comment feeds (RSS and Atom): each new item becomes a task announced in the feed's channel.

An item is known by its GUID (its link when it has none), recorded per workspace, so it is never
announced twice: not across restarts, not across processes (a poll leases its feed). The first
poll of a feed records what is already there and announces nothing but the newest `backfill`.
Fetching uses conditional GET (ETag, Last-Modified) with a timeout; a feed that is down, slow,
answers HTML or has broken XML is logged and tried again later, less and less often, and never
holds up other feeds or the bot. Polls run in a background job, never on a request thread.
"""

from __future__ import annotations

import html
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from xml.sax import SAXException

import feedparser
from icalendar import Calendar

from bot import metrics
from bot.intake.calendars import record_calendar, sync_settings_calendars, validators
from bot.intake.channels import check_admin
from bot.intake.from_settings import sync_from_settings
from bot.intake.ical import CalendarError, read_calendar
from bot.intake.posts import open_announced_task
from bot.settings import FeedSettings
from bot.settings.calendars import shown_address
from bot.settings.labels import kind_in_sentence
from bot.slack.payloads import clean_text
from bot.slack.text import escape, is_web_link
from bot.tasks.errors import DibsError
from bot.tasks.kinds import kind_named
from bot.tasks.tx import Tx
from store.enums import Via
from store.models import Feed
from store.queries import feeds as queries
from store.queries.external import known_keys, remember

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
TIMEOUT = 10.0
MAX_BYTES = 5_000_000
LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 20
FETCHERS = 4
ANNOUNCED_PER_POLL = 25
USER_AGENT = "Dibs/0.2 (+https://github.com/dibs; a Slack bot reading comments)"


class FeedError(Exception):
    """A feed could not be read this time; the message says why, in words for `/dibs feeds`."""


@dataclass(frozen=True)
class Fetched:
    """What a feed's server answered: a body (None: not modified since last time) and its validators."""

    body: bytes | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed, as Dibs announces it."""

    key: str  # the GUID, or the link when there is none
    title: str
    author: str | None
    post: str | None  # the blog post a comment is on, when the feed says
    text: str
    link: str | None


def fetch(url: str, etag: str | None, last_modified: str | None) -> Fetched:
    """GET the feed, conditionally; FeedError for anything but 200 or 304."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            body = answer.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise FeedError(f"the feed is larger than {MAX_BYTES // 1_000_000} MB")
            return Fetched(body, answer.headers.get("ETag"), answer.headers.get("Last-Modified"))
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return Fetched(None, etag, last_modified)
        raise FeedError(f"the server answered HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FeedError(f"could not reach it ({getattr(error, 'reason', error)})") from None


def _plain(markup: str) -> str:
    text = re.sub(r"<(br|/p|/div)\s*/?>", "\n", markup, flags=re.IGNORECASE)
    return clean_text(html.unescape(re.sub(r"<[^>]+>", "", text))).strip()


def read_items(body: bytes) -> list[FeedItem]:
    """The items of an RSS or Atom document, newest first as the feed lists them; FeedError if it is not one."""
    parsed = feedparser.parse(body)
    if not parsed.get("version"):
        looks = "an HTML page" if b"<html" in body[:2000].lower() else "not RSS or Atom"
        raise FeedError(f"the answer is {looks}")
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and (isinstance(problem, SAXException) or not parsed.entries):
        # Malformed XML: what a lenient parse would read of it could be half an item; wait for a whole feed.
        raise FeedError(f"the feed's XML is broken ({problem})"[:250])
    items = []
    for entry in parsed.entries:
        key = str(entry.get("id") or entry.get("link") or "").strip()
        if not key:
            continue
        title = " ".join(_plain(str(entry.get("title") or "")).split())
        author = " ".join(_plain(str(entry.get("author") or "")).split()) or None
        post = _commented_post(title, author)
        summary = entry.get("summary") or (entry.get("content") or [{}])[0].get("value") or ""
        link = str(entry.get("link") or "").strip() or None
        items.append(FeedItem(key[:250], title or "(no title)", author, post, _plain(str(summary)), link))
    return items


def _commented_post(title: str, author: str | None) -> str | None:
    """WordPress titles a comment "Comment on POST by AUTHOR": the post's title."""
    match = re.fullmatch(r"Comment on (.+?)(?: by (.+))?", title)
    if not match:
        return None
    post = match.group(1)
    if author and match.group(2) is None and post.endswith(f" by {author}"):
        post = post[: -len(f" by {author}")]
    return post


def _announcement(item: FeedItem, kind_name: str) -> tuple[str, str]:
    """(title, headline) of a feed item's task and post."""
    if item.post and item.author:
        return f"Comment by {item.author} on {item.post}", (
            f":speech_balloon: *{escape(item.author)}* commented on *{escape(item.post)}*"
        )
    return item.title, f"New {kind_name}: *{escape(item.title)}*" + (
        f" by {escape(item.author)}" if item.author else ""
    )


def _announce(tx: Tx, feed: Feed, item: FeedItem) -> None:
    kind = tx.settings.kind(feed.kind) or tx.settings.kinds["blog_comment"]
    title, headline = _announcement(item, kind_in_sentence(tx.settings, kind.name))
    task = open_announced_task(
        tx, team_id=feed.team_id, channel_id=feed.channel_id, kind=kind, title=title, posted_by="feed",
        source=Via.FEED, headline=headline, details=item.text, url=item.link,
    )  # fmt: skip
    if not remember(tx.session, feed.team_id, f"feed:{feed.id}:{item.key}", task.id, tx.now):
        raise FeedError("another process announced this item first")  # rolls the task back


def record(tx: Tx, feed: Feed, items: list[FeedItem]) -> int:
    """Announce the feed's new items (after its first poll); returns how many were announced."""
    keys = {item.key: f"feed:{feed.id}:{item.key}" for item in items}
    seen = known_keys(tx.session, feed.team_id, list(keys.values()))
    new = [item for item in items if keys[item.key] not in seen]
    announce = new[: feed.backfill] if not feed.primed else new[:ANNOUNCED_PER_POLL]
    for item in reversed(announce):  # oldest first: the channel reads them in order
        _announce(tx, feed, item)
    for item in new[len(announce) :] if not feed.primed else []:
        remember(tx.session, feed.team_id, keys[item.key], None, tx.now)  # there before Dibs: seen, not announced
    feed.primed = True
    return len(announce)


def _lease_due(svc: Services, now: datetime) -> list[tuple[int, str, str | None, str | None, str]]:
    with svc.transaction(now=now) as tx:
        due = queries.lock_due_feeds(tx.session, now, BATCH)
        for feed in due:
            feed.next_poll_at = now + LEASE  # ours for a while: other processes skip it
        return [(f.id, f.url, *validators(f, now), f.source) for f in due]


def _succeeded(svc: Services, feed_id: int, fetched: Fetched, items: list[FeedItem] | Calendar | None) -> int:
    with svc.transaction() as tx:
        feed = tx.session.get(Feed, feed_id)
        if feed is None:
            return 0
        feed.etag, feed.last_modified = fetched.etag, fetched.last_modified  # a calendar may drop them again
        if isinstance(items, Calendar):  # a team's calendar: its events followed (`bot.intake.calendars`)
            announced = record_calendar(tx, feed, items)
        else:
            announced = record(tx, feed, items) if items is not None else 0
        feed.last_success_at, feed.failures, feed.last_error = tx.now, 0, None
        feed.next_poll_at = tx.now + timedelta(seconds=feed.every_seconds)
        return announced


def _failed(svc: Services, feed_id: int, error: FeedError) -> None:
    with svc.transaction() as tx:
        feed = tx.session.get(Feed, feed_id)
        if feed is None:
            return
        feed.failures += 1
        feed.last_error, feed.last_error_at = str(error)[:300], tx.now
        wait = min(timedelta(seconds=feed.every_seconds) * 2 ** min(feed.failures, 10), MAX_BACKOFF)
        feed.next_poll_at = tx.now + wait
        log.warning("feed %s: %s; trying again in %s", shown_address(feed.url), error, wait)


Fetch = Callable[[str, str | None, str | None], Fetched]


def _poll_one(
    svc: Services, fetcher: Fetch, feed_id: int, url: str, etag: str | None, modified: str | None, source: str
) -> int:
    try:
        fetched = fetcher(url, etag, modified)
        read = read_calendar if source == "calendar" else read_items
        items = read(fetched.body) if fetched.body is not None else None
        announced = _succeeded(svc, feed_id, fetched, items)
        metrics.FEED_POLLS.labels("ok" if fetched.body is not None else "not_modified").inc()
        return announced
    except (FeedError, CalendarError) as error:
        _failed(svc, feed_id, FeedError(str(error)))
    except Exception as error:  # one broken feed never stops the others
        log.exception("feed %s could not be read", shown_address(url))
        _failed(svc, feed_id, FeedError(f"{type(error).__name__}: {error}"[:250]))
    metrics.FEED_POLLS.labels("error").inc()
    return 0


def poll_feeds(svc: Services, fetcher: Fetch = fetch) -> int:
    """Poll every feed that is due, a few at a time (a slow one holds up no other); returns items announced."""
    due = _lease_due(svc, svc.now())
    with ThreadPoolExecutor(FETCHERS, thread_name_prefix="dibs-feeds") as pool:
        return sum(pool.map(lambda feed: _poll_one(svc, fetcher, *feed), due))


def sync_settings_feeds(svc: Services, token_team: str | None, feeds: tuple[FeedSettings, ...]) -> None:
    """Make each workspace's feeds (and calendars) from the settings file those the file lists now (a feed
    without a `team` belongs to the bot token's workspace, `token_team`)."""
    with svc.transaction() as tx:

        def add(team_id: str, entry: FeedSettings) -> None:
            queries.add_feed(
                tx.session, team_id=team_id, channel_id=entry.channel, url=entry.url, kind=entry.kind,
                every_seconds=int(entry.every.total_seconds()), backfill=entry.backfill, origin="settings",
                primed=False, next_poll_at=tx.now, failures=0,
            )  # fmt: skip

        sync_from_settings(tx, token_team, feeds, "feed", _update_feed, add)
        sync_settings_calendars(tx, token_team, svc.settings.calendars)  # and the settings' `calendars:`


def _update_feed(row: Feed, entry: FeedSettings) -> None:
    row.kind, row.every_seconds, row.backfill = entry.kind, int(entry.every.total_seconds()), entry.backfill


def add_channel_feed(svc: Services, team_id: str, channel_id: str, user_id: str, url: str, kind: str) -> bool:
    """`/dibs feed add`: the channel announces this feed's new items; False if it already does."""
    check_admin(svc, team_id, user_id)
    kind = kind_named(svc.settings, kind).name  # its key, however the person wrote it
    if not is_web_link(url) or len(url) > 1000:
        raise DibsError("Write the feed's address, like `/dibs feed add https://blog.example.com/comments/feed/`.")
    with svc.transaction() as tx:
        return queries.add_feed(
            tx.session, team_id=team_id, channel_id=channel_id, url=url, kind=kind, every_seconds=600, backfill=0,
            origin="slack", added_by=user_id, primed=False, next_poll_at=tx.now, failures=0,
        )  # fmt: skip


def remove_channel_feed(svc: Services, team_id: str, channel_id: str, user_id: str, url: str) -> bool:
    """`/dibs feed remove`: False if the channel has no such feed added from Slack."""
    check_admin(svc, team_id, user_id)
    with svc.transaction() as tx:
        return queries.remove_feed(tx.session, team_id, channel_id, url)


def channel_feeds(svc: Services, team_id: str, channel_id: str) -> list[Feed]:
    """`/dibs feeds`: the channel's feeds with how their last polls went."""
    with svc.read() as session:
        return queries.feeds_of_channel(session, team_id, channel_id)
