"""Unit tests of the classifier: which kind a post is, and the title its task gets."""

from __future__ import annotations

import pytest

from bot.intake.classify import TITLE_LIMIT, classify, plain_text, title_from
from bot.settings import DEFAULT_KINDS, Kind, Settings

KINDS = Settings().kinds


def kind_of(text: str, kinds=KINDS) -> str | None:
    found = classify(text, kinds)
    return found.name if found else None


# --- classify -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We got a booth at the Springfield Expo", "event"),
        ("Jane commented on the pricing post", "blog_comment"),
        ("New blog comment from a customer", "blog_comment"),
        ("Sending gifts to every customer", "gift_campaign"),
        ("Swag boxes are out", "gift_campaign"),
        ("A gift for our top partner", "gift_campaign"),
        ("Join our WEBINAR on Thursday", "event"),
        ("booth", "event"),
        ("Meetup!", "event"),
        ("(conference) next week", "event"),
    ],
)
def test_posts_are_classified_by_whole_keywords_in_any_case(text, expected):
    assert kind_of(text) == expected


def test_returns_the_kind_object_from_the_settings():
    assert classify("Booth at the expo", KINDS) is KINDS["event"]


@pytest.mark.parametrize(
    "text",
    [
        "lunch at noon?",
        "the events team is hiring",
        "She gifted it to him",
        "Ask Mr Boothe about it",
        "Expos are fun",
        "commenting is off",
        "webinars",
        "swagger docs updated",
        "a blog post with comments",
        "",
        "   ",
    ],
)
def test_ordinary_chatter_and_partial_words_do_not_match(text):
    assert classify(text, KINDS) is None


@pytest.mark.parametrize(
    "text",
    [
        "Meet us at the trade show",
        "Meet us at the Trade  Show",
        "TRADE SHOW next month",
        "trade\tshow in May",
        "trade\nshow in May",
    ],
)
def test_multi_word_keyword_matches_across_spacing_and_case(text):
    only_trade_show = {"event": Kind(name="event", keywords=("trade show",))}
    assert kind_of(text, only_trade_show) == "event"


def test_multi_word_keyword_needs_both_words_in_order():
    only_trade_show = {"event": Kind(name="event", keywords=("trade show",))}
    assert classify("trade-in show", only_trade_show) is None
    assert classify("show trade", only_trade_show) is None
    assert classify("tradeshow", only_trade_show) is None


def test_keyword_inside_a_slack_link_label_counts():
    assert kind_of("See <https://example.com/springfield|Springfield Expo> for details") == "event"
    assert kind_of("<mailto:jane@example.com|Gift> request") == "gift_campaign"


def test_keyword_only_in_a_link_url_does_not_count():
    assert classify("Details: <https://example.com/booth-expo>", KINDS) is None


def test_user_mentions_do_not_create_a_match():
    mention_kind = {"m": Kind(name="m", keywords=("u123", "expo"))}
    assert classify("Thanks <@U123>", mention_kind) is None
    assert classify("Thanks <@U123|expo>", mention_kind) is None
    assert classify("<!subteam^S0123|expo> please look", mention_kind) is None
    assert classify("Posted in <#C123|expo>", mention_kind) is None
    # The same words outside markup do match.
    assert kind_of("Thanks U123 for the expo", mention_kind) == "m"


def test_mention_next_to_a_keyword_still_matches():
    assert kind_of("<@U123> booked a booth") == "event"


def test_most_hits_wins():
    # One event keyword, two gift keywords.
    assert kind_of("At the expo we hand out swag and gifts") == "gift_campaign"
    # Two event keywords, one gift keyword.
    assert kind_of("Gift bags at our booth at the expo") == "event"


def test_repeated_keyword_counts_each_time():
    assert kind_of("Expo, expo, expo! Also a gift.") == "event"


def test_tie_goes_to_the_first_kind_in_settings_order():
    text = "A booth with swag"  # one event hit, one gift hit
    assert kind_of(text) == "event"
    reordered = {"gift_campaign": DEFAULT_KINDS["gift_campaign"], "event": DEFAULT_KINDS["event"]}
    assert kind_of(text, reordered) == "gift_campaign"


def test_accepts_an_iterable_of_kinds_too():
    kinds = [DEFAULT_KINDS["gift_campaign"], DEFAULT_KINDS["event"]]
    assert kind_of("A booth with swag", kinds) == "gift_campaign"
    assert kind_of("Booth at the expo", kinds) == "event"


def test_keywords_with_regex_characters_are_taken_literally():
    kinds = {"cpp": Kind(name="cpp", keywords=("c++ meetup",)), "dot": Kind(name="dot", keywords=("a.b",))}
    assert kind_of("Our C++ meetup is Friday", kinds) == "cpp"
    assert classify("axb", kinds) is None
    assert kind_of("see a.b now", kinds) == "dot"


# --- plain_text ---------------------------------------------------------------------------


def test_plain_text_keeps_link_labels_and_drops_markup():
    assert plain_text("Hi <@U1>, see <https://x.example/a|the post>  and <https://x.example/b>.") == (
        "Hi , see the post and ."
    )


# --- title_from ---------------------------------------------------------------------------


def test_title_is_the_first_non_empty_line():
    assert title_from("\n\n   Booth at Springfield Expo  \nWe need two people\n") == "Booth at Springfield Expo"


def test_title_strips_slack_markup():
    text = "<@U123> <https://expo.example|Springfield Expo> booth\nmore"
    assert title_from(text) == "Springfield Expo booth"


def test_title_skips_a_line_that_is_only_markup():
    assert title_from("<@U123>\nSwag boxes are out") == "Swag boxes are out"


def test_empty_text_gets_a_placeholder_title():
    assert title_from("") == "(no text)"
    assert title_from("  \n <@U1> \n") == "(no text)"


def test_title_of_exactly_the_limit_is_kept_whole():
    text = ("word " * 40)[: TITLE_LIMIT - 1] + "z"
    assert len(text) == TITLE_LIMIT
    assert title_from(text) == text


def test_long_title_is_cut_at_a_word_with_an_ellipsis():
    words = [f"word{i}" for i in range(60)]
    text = " ".join(words)
    assert len(text) > TITLE_LIMIT
    title = title_from(text)
    assert TITLE_LIMIT == 150
    assert len(title) <= 150
    assert title.endswith("…")
    body = title[:-1]
    assert text.startswith(body)
    assert text[len(body)] == " "  # cut between words, not inside one
    assert body.split() == words[: len(body.split())]
    assert len(body) > 100  # not cut needlessly short


def test_long_title_without_spaces_is_still_limited():
    title = title_from("x" * 400)
    assert len(title) <= 150
    assert title.endswith("…")
