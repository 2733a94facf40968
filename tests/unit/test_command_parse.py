"""Unit tests of `/dibs` command parsing (no Slack, no database)."""

from __future__ import annotations

import pytest

from bot.slack.command_parser import parse_command, parse_task_id
from bot.slack.commands import (
    AddFeed,
    Assign,
    Claim,
    Done,
    Help,
    ListTasks,
    NewTask,
    Release,
    Route,
    Stats,
    Unwatch,
    UsageError,
    Watch,
)
from bot.tasks.errors import DibsError


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP", "help me please"])
def test_help_and_empty_text(text):
    assert parse_command(text) == Help()


@pytest.mark.parametrize("text", ["help all", "HELP All", "help all please"])
def test_help_all(text):
    assert parse_command(text) == Help(all=True)


@pytest.mark.parametrize("name", ["watch", "unwatch"])
def test_watch_and_unwatch(name):
    expected = Watch() if name == "watch" else Unwatch()
    assert parse_command(name) == expected
    assert parse_command(f"  {name.upper()}  ") == expected


def test_new_with_kind_and_title():
    cmd = parse_command("new event Booth at Springfield Expo")
    assert cmd == NewTask(kind="event", title="Booth at Springfield Expo")


def test_new_keeps_the_title_spacing_after_the_kind():
    cmd = parse_command("new  Event   Booth  at   the Expo  ")
    assert isinstance(cmd, NewTask)
    assert cmd.kind == "event"
    assert cmd.title == "Booth  at   the Expo"


@pytest.mark.parametrize("text", ["new", "new event", "new   event   "])
def test_new_without_a_title_is_a_usage_error(text):
    with pytest.raises(UsageError, match="needs a kind and a title"):
        parse_command(text)


def test_list_without_filter_lists_open_tasks():
    assert parse_command("list") == ListTasks(filter="open")


@pytest.mark.parametrize("which", ["unclaimed", "mine", "all", "open"])
def test_list_filters(which):
    assert parse_command(f"list {which}") == ListTasks(filter=which)
    assert parse_command(f"list {which.upper()}") == ListTasks(filter=which)


def test_list_takes_a_kind_after_the_filter():
    assert parse_command("list unclaimed event") == ListTasks(filter="unclaimed", kind="event")
    assert parse_command("list gift_campaign") == ListTasks(filter="open", kind="gift_campaign")
    assert parse_command("list Gift-Campaign") == ListTasks(filter="open", kind="gift-campaign")  # a label


def test_stats_detail_and_a_kind_named_by_its_label():
    assert parse_command("stats") == Stats(days=30, everywhere=False, detail=False)
    assert parse_command("stats 7d all detail") == Stats(days=7, everywhere=True, detail=True)
    assert parse_command("route Blog comment none") == Route("Blog comment", None)
    assert parse_command("route event <!subteam^S1>") == Route("event", "S1")
    assert parse_command("feed add https://x.example/feed Blog comment") == AddFeed(
        "https://x.example/feed", "Blog comment"
    )


@pytest.mark.parametrize("text", ["list mine all", "list 12", "list mine event extra"])
def test_bad_list_filter(text):
    with pytest.raises(UsageError) as error:
        parse_command(text)
    assert "unclaimed, mine, all" in str(error.value)


@pytest.mark.parametrize("text", ["claim 12", "claim #12", "CLAIM 12", "claim  #12 "])
def test_claim_with_an_id(text):
    assert parse_command(text) == Claim(task_id=12)


def test_release_with_an_id():
    assert parse_command("release #7") == Release(task_id=7)


@pytest.mark.parametrize("word", ["abc", "#", "12a", "#-3", "1.5", "##12"])
def test_claim_with_a_bad_id_shows_the_right_form(word):
    with pytest.raises(UsageError) as error:
        parse_command(f"claim {word}")
    message = str(error.value)
    assert f"`{word}` is not a task id" in message
    assert "`/dibs claim 12`" in message
    assert "#12" in message


def test_bad_id_message_names_the_subcommand_used():
    with pytest.raises(UsageError, match="/dibs release 12"):
        parse_command("release abc")


@pytest.mark.parametrize("name", ["claim", "release", "done", "assign"])
def test_subcommands_without_an_id(name):
    with pytest.raises(UsageError) as error:
        parse_command(name)
    assert f"`/dibs {name}` needs a task id, like `/dibs {name} 12`" in str(error.value)


def test_claim_with_extra_words_is_an_error():
    with pytest.raises(UsageError, match=r"or `/dibs claim 12 ROLE` for an event's role"):
        parse_command("claim 12 13")
    with pytest.raises(UsageError, match=r"or `/dibs claim 12 ROLE`"):
        parse_command("claim 12 staff lead")


def test_staffing_commands_parse():
    from datetime import time

    from bot.slack.commands import Claim, Roles, Swap, When

    assert parse_command("claim #12 Staff") == Claim(12, "staff")
    assert parse_command("roles 12 staff=3 lead=1") == Roles(12, (("staff", 3), ("lead", 1)))
    assert parse_command("when 12 2026-12-12 09:00-17:00 at Hall 3, stand B7") == When(
        12, "2026-12-12", (time(9), time(17)), "Hall 3, stand B7"
    )
    assert parse_command("when 12 2026-12-12") == When(12, "2026-12-12")
    assert parse_command("when 12 2026-12-12 at Hall 3") == When(12, "2026-12-12", None, "Hall 3")
    assert parse_command("swap 12 <@U7|ann>") == Swap(12, "U7")
    assert parse_command("swap 12 <@U1> <@U7>") == Swap(12, "U7", "U1")
    for wrong in ("roles 12 staff", "roles 12", "when 12 soon", "when 12 2026-12-12 17:00-09:00",
                  "swap 12 ann", "swap 12 <@U1> <@U2> <@U3>"):  # fmt: skip
        with pytest.raises(UsageError):
            parse_command(wrong)


@pytest.mark.parametrize("mention", ["<@U333|bob>", "<@U333>"])
def test_assign_to_a_mentioned_user(mention):
    assert parse_command(f"assign 12 {mention}") == Assign(task_id=12, user_id="U333")


def test_assign_accepts_enterprise_user_ids_and_hash_ids():
    assert parse_command("assign #4 <@W0AB12|ann>") == Assign(task_id=4, user_id="W0AB12")


@pytest.mark.parametrize(
    "text",
    ["assign 12", "assign 12 bob", "assign 12 @bob", "assign 12 <#C123|general>", "assign 12 <@U333> <@U444>"],
)
def test_assign_without_a_user(text):
    with pytest.raises(UsageError) as error:
        parse_command(text)
    assert "Write `/dibs assign 12 @someone`" in str(error.value)


def test_done_with_an_id():
    assert parse_command("done 12") == Done(task_id=12, proof=None)


@pytest.mark.parametrize(
    "link",
    [
        "https://x.example/y",
        "<https://x.example/y>",
        "<https://x.example/y|x.example/y>",
    ],
)
def test_done_with_a_link(link):
    assert parse_command(f"done 12 {link}") == Done(task_id=12, proof="https://x.example/y")


def test_done_with_a_tracking_number():
    assert parse_command("done #3 1Z999AA10123456784") == Done(3, "1Z999AA10123456784")


def test_done_with_two_links_is_an_error():
    with pytest.raises(UsageError, match="at most one link"):
        parse_command("done 12 https://a.example https://b.example")


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("clam 12", "I don't know `/dibs clam`. Did you mean `/dibs claim`?"),
        ("claims 12", "I don't know `/dibs claims`. Did you mean `/dibs claim`?"),
        ("relase 3", "I don't know `/dibs relase`. Did you mean `/dibs release`?"),
        ("lsit", "I don't know `/dibs lsit`. Did you mean `/dibs list`?"),
        ("frobnicate", "I don't know `/dibs frobnicate`. `/dibs help` shows what I can do."),
        ("grab 12", "I don't know `/dibs grab`. `/dibs help` shows what I can do."),
        ("<!channel> hi", "I don't know `/dibs &lt;!channel&gt;`. `/dibs help` shows what I can do."),
        ("<https://evil.example|claim>", "I don't know `/dibs &lt;https://evil.example|claim&gt;`. `/dibs help` shows"),
    ],
)
def test_unknown_subcommand_suggests_the_closest(text, answer):
    with pytest.raises(UsageError) as error:
        parse_command(text)
    assert str(error.value).startswith(answer)
    assert "<" not in str(error.value)  # nothing typed can ping or link


def test_usage_errors_are_dibs_errors():
    assert issubclass(UsageError, DibsError)


def test_parse_task_id_directly():
    assert parse_task_id(" #42 ", "done") == 42
    with pytest.raises(UsageError, match="/dibs done 12"):
        parse_task_id("forty-two", "done")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("due 4 Jan 20", "Jan 20"),
        ("due #4 next Friday", "next Friday"),
        ("due 4 2027-01-20", "2027-01-20"),
        ("due 4 20/1", "20/1"),
        ("due 4 in 2 weeks", "in 2 weeks"),
        ("due 4 none", None),
        ("due 4 NONE", None),
    ],
)
def test_due_keeps_the_date_as_written(text, expected):
    from bot.slack.commands import SetDue

    assert parse_command(text) == SetDue(4, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("when 4 Jan 20 9am-5pm at Hall 3", ("Jan 20", (9, 17), "Hall 3")),
        ("when 4 next Friday 9-5pm", ("next Friday", (9, 17), None)),
        ("when 4 20 January 1-3pm at Booth B7", ("20 January", (13, 15), "Booth B7")),
        ("when 4 tomorrow 09:30 - 12:00", ("tomorrow", (9.5, 12), None)),
        ("when 4 Jan 20 9-5", ("Jan 20", (9, 17), None)),
        ("when 4 tomorrow at 3pm", ("tomorrow at 3pm", None, None)),
        ("when 4 Jan 20 at Springfield Expo, hall 3", ("Jan 20", None, "Springfield Expo, hall 3")),
    ],
)
def test_when_finds_where_the_date_ends(text, expected):
    from datetime import time

    from bot.slack.commands import When

    words, hours, place = expected
    clock = None if hours is None else tuple(time(int(h), int(h % 1 * 60)) for h in hours)
    assert parse_command(text) == When(4, words, clock, place)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (
            "due 4 Jan 32",
            "I couldn't read `Jan 32` as a date: write `/dibs due 4 Jan 20` (or `next Friday`, "
            "`2027-01-20`), or `none` to clear it.",
        ),
        ("due 4 soon-ish", "I couldn't read `soon-ish` as a date: write `/dibs due 4 Jan 20`"),
        ("due 4 <!here>", "I couldn't read `&lt;!here&gt;` as a date"),
        (
            "when 4 soon",
            "I couldn't read `soon` as a date: write `/dibs when 4 Jan 20 9am-5pm at Hall 3` (the hours "
            "and the place are optional).",
        ),
        ("when 4 9am-5pm", "Write `/dibs when 4 Jan 20 9am-5pm at Hall 3`"),
        ("when 4 Jan 20 5pm-9am", "I couldn't read `5pm-9am` as hours: write `/dibs when 4"),
        ("when 4 Jan 20 9-5 Hall 3", "I couldn't read `Hall 3`: write `/dibs when 4"),
        ("due 4", "Write `/dibs due 4 Jan 20` (or `next Friday`, `2027-01-20`), or `none` to clear it."),
        ("due", "`/dibs due` needs a task id, like `/dibs due 12`."),
    ],
)
def test_date_errors_say_the_one_form_that_works(text, answer):
    with pytest.raises(UsageError) as error:
        parse_command(text)
    assert str(error.value).startswith(answer) or answer in str(error.value)
    assert "\n" not in str(error.value)
