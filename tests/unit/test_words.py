"""How Dibs words things for people: kinds by their labels (and a command naming one by label or key, in
any case), plurals, a title followed by punctuation, ages and durations, titles without Slack formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.settings import Settings, SettingsError, settings_from_yaml
from bot.settings.labels import (
    derived_label,
    kind_in_sentence,
    kind_label,
    kind_labels,
    kind_tag,
    kinds_in_sentence,
    resolve_kind,
    resolve_leading_kind,
)
from bot.slack.text import age, format_duration, plain, plural, then
from bot.tasks.errors import NotAllowed, UnknownKind
from bot.tasks.kinds import kind_and_title, kind_named
from bot.tasks.rules import check_may_finish
from store.models import Task

SETTINGS = settings_from_yaml(
    {
        "kinds": {
            "trade_show": {"keywords": ["trade show"]},
            "seo_audit": {"keywords": ["seo"], "label": "SEO audit", "emoji": "mag"},
            "event": {"label": "Event day", "emoji": ":tada:"},
        }
    },
    Settings(),
)
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("case", "got", "expected"),
    [
        # labels: the defaults, derived from a key, from the settings, for a kind no longer there
        ("default label", kind_label(Settings(), "blog_comment"), "Blog comment"),
        ("default label", kind_label(Settings(), "gift_followup"), "Gift follow-up"),
        ("default label", kind_label(Settings(), "gift_campaign"), "Gift campaign"),
        ("default tag", kind_tag(Settings(), "event"), ":calendar: Event"),
        ("default tag", kind_tag(None, "blog_comment"), ":speech_balloon: Blog comment"),
        ("derived label", kind_label(SETTINGS, "trade_show"), "Trade show"),
        ("derived, no emoji", kind_tag(SETTINGS, "trade_show"), "Trade show"),
        ("derived label", derived_label("press_mention"), "Press mention"),
        ("a gone kind", kind_label(SETTINGS, "old_kind"), "Old kind"),
        ("set label and emoji", kind_tag(SETTINGS, "seo_audit"), ":mag: SEO audit"),
        ("a default overridden", kind_tag(SETTINGS, "event"), ":tada: Event day"),
        ("in a sentence", kind_in_sentence(SETTINGS, "trade_show"), "trade show"),
        ("an abbreviation stays", kind_in_sentence(SETTINGS, "seo_audit"), "SEO audit"),
        ("every label", kind_labels(Settings()), "Event, Blog comment, Gift campaign, Gift follow-up"),
        ("in a sentence", kinds_in_sentence(Settings()), "event, blog comment, gift campaign and gift follow-up"),
        # a kind named by its key or its label, in any case, spaces, _ and - alike
        ("key", resolve_kind(SETTINGS, "event"), "event"),
        ("label", resolve_kind(SETTINGS, "Event day"), "event"),
        ("key, upper case", resolve_kind(SETTINGS, "BLOG_COMMENT"), "blog_comment"),
        ("label, hyphen", resolve_kind(SETTINGS, "Blog-comment"), "blog_comment"),
        ("label, run together", resolve_kind(SETTINGS, "blogcomment"), "blog_comment"),
        ("label with a hyphen", resolve_kind(SETTINGS, "gift follow-up"), "gift_followup"),
        ("set label", resolve_kind(SETTINGS, "seo audit"), "seo_audit"),
        ("unknown", resolve_kind(SETTINGS, "party"), None),
        ("nothing", resolve_kind(SETTINGS, "  "), None),
        ("longest run", resolve_leading_kind(SETTINGS, ["Blog", "comment", "Reply"]), ("blog_comment", 2)),
        ("one word", resolve_leading_kind(SETTINGS, ["event", "Booth"]), ("event", 1)),
        ("no kind", resolve_leading_kind(SETTINGS, ["Booth", "at"]), None),
        # plurals
        ("one", plural(1, "seat"), "1 seat"),
        ("two", plural(2, "seat"), "2 seats"),
        ("none", plural(0, "gift"), "0 gifts"),
        ("irregular", plural(3, "person", "people"), "3 people"),
        # a title, then punctuation: never doubled
        ("a question", then("Who can staff it?", "<u|Who can staff it?>"), "<u|Who can staff it?>"),
        ("an exclamation", then("Booth!", "Booth!"), "Booth!"),
        ("an ellipsis", then("And then…", "And then…"), "And then…"),
        ("a plain title", then("Booth at the Expo", "Booth at the Expo"), "Booth at the Expo."),
        ("another mark", then("Why?", "Why?", ":"), "Why?:"),
        # titles without Slack's formatting marks
        ("bold", plain("We got a *booth*"), "We got a booth"),
        ("every mark", plain("_new_ ~old~ `code` *bold _nested_*"), "new old code bold nested"),
        ("snake_case stays", plain("a snake_case_word and 2*3*4"), "a snake_case_word and 2*3*4"),
        ("a lone star stays", plain("5 * stars"), "5 * stars"),
        # ages in one unit, rounded to the nearest; durations in two, the smaller rounded
        ("age: seconds", age(NOW - timedelta(seconds=40), NOW), "just now"),
        ("age: minutes", age(NOW - timedelta(minutes=5, seconds=40), NOW), "6m"),
        ("age: an hour", age(NOW - timedelta(minutes=59, seconds=40), NOW), "1h"),
        ("age: hours", age(NOW - timedelta(hours=2, minutes=40), NOW), "3h"),
        ("age: 31h", age(NOW - timedelta(hours=31), NOW), "1d"),
        ("age: 36h", age(NOW - timedelta(hours=36), NOW), "2d"),
        ("age: 47h", age(NOW - timedelta(hours=47), NOW), "2d"),
        ("age: the future", age(NOW + timedelta(hours=1), NOW), "just now"),
        ("duration: seconds", format_duration(timedelta(seconds=20)), "<1m"),
        ("duration: minutes", format_duration(timedelta(minutes=44, seconds=40)), "45m"),
        ("duration: hours", format_duration(timedelta(hours=3, minutes=20)), "3h 20m"),
        ("duration: whole hour", format_duration(timedelta(minutes=59, seconds=50)), "1h"),
        ("duration: 31h", format_duration(timedelta(hours=31)), "1d 7h"),
        ("duration: days", format_duration(timedelta(days=2, hours=4, minutes=40)), "2d 5h"),
        ("duration: whole day", format_duration(timedelta(hours=23, minutes=59, seconds=50)), "1d"),
    ],
)
def test_words(case: str, got: object, expected: object) -> None:
    assert got == expected, case


def test_a_command_names_a_kind_by_key_or_label() -> None:
    assert kind_named(SETTINGS, "Trade-Show").name == "trade_show"
    kind, title = kind_and_title(SETTINGS, "blog", "comment  Reply to  Ana")
    assert (kind.name, title) == ("blog_comment", "Reply to  Ana")
    kind, title = kind_and_title(SETTINGS, "event", "Booth at the Expo")
    assert (kind.name, title) == ("event", "Booth at the Expo")
    with pytest.raises(UnknownKind):  # a word of title is always left, and `gift` alone is no kind
        kind_and_title(SETTINGS, "gift", "campaign")
    with pytest.raises(UnknownKind, match=r"There is no kind `party &lt;b&gt;`. Kinds: Event day, Blog comment"):
        kind_named(SETTINGS, "party <b>")


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ({"label": ""}, "kinds.event.label: expected the kind's name"),
        ({"label": "<!channel>"}, "kinds.event.label: expected the kind's name"),
        ({"label": "x" * 41}, "kinds.event.label: expected the kind's name"),
        ({"emoji": "not an emoji"}, "kinds.event.emoji: expected an emoji's name"),
    ],
)
def test_a_bad_label_or_emoji_is_refused(entry: dict[str, str], error: str) -> None:
    with pytest.raises(SettingsError, match=error):
        settings_from_yaml({"kinds": {"event": entry}}, Settings())


@pytest.mark.parametrize(
    ("poster", "said"),
    [
        ("U9", "Only the owners of #4 (nobody yet) or <@U9>, who posted it, can mark it done."),
        ("feed", "Only the owners of #4 (nobody yet) can mark it done."),
        ("calendar", "Only the owners of #4 (nobody yet) can mark it done."),
    ],
)
def test_a_task_a_feed_or_calendar_posted_names_no_poster(poster, said):
    task = Task(id=4, team_id="T1", posted_by=poster, claims=[])
    with pytest.raises(NotAllowed) as refused:
        check_may_finish(task, "U2")
    assert str(refused.value) == said
