"""Unit tests of the classifier: which kind a post is (keywords and phrases in any word form), why (`explain`,
`dibs classify`), and the title its task gets."""

from __future__ import annotations

import pytest

from bot.intake.classify import TITLE_LIMIT, classify, plain_text, title_from
from bot.intake.match import explain
from bot.intake.phrases import STOP_WORDS, candidates
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
        # Word forms: a keyword matches its plurals and its -ed and -ing forms (the post's words and the
        # keyword are both stemmed). These were chatter while keywords matched exactly; posts are written
        # as people write them, so "the events team" now counts as an event: a false task is one Cancel,
        # a missed follow-up is a customer nobody answered.
        ("Jane left comments on the pricing post", "blog_comment"),
        ("a blog post with comments", "blog_comment"),
        ("Is anyone commenting on the launch post?", "blog_comment"),
        ("Comment from a reader", "blog_comment"),
        ("She gifted it to him", "gift_campaign"),
        ("Gifting season starts Monday", "gift_campaign"),
        ("Our events this quarter", "event"),
        ("the events team is hiring", "event"),
        ("Two booths at the fair", "event"),
        ("webinars", "event"),
        ("Expos are fun", "event"),
        ("CONFERENCES in May", "event"),
        ("Meetups near you", "event"),
        # Phrases: whole phrases in any word form and spacing.
        ("Someone left a comment on our onboarding blog post asking about SSO, can someone reply?", "blog_comment"),
        ("A reader asked on the blog about pricing", "blog_comment"),
        ("can someone  respond to Ana?", "blog_comment"),
        ("Save the date: our summit is on 3 March", "event"),
        ("Who can staff the stand on Friday?", "event"),
        ("Care packages for the new customers", "gift_campaign"),
    ],
)
def test_posts_are_classified_by_keywords_and_phrases_in_any_word_form(text, expected):
    assert kind_of(text) == expected


def test_returns_the_kind_object_from_the_settings():
    assert classify("Booth at the expo", KINDS) is KINDS["event"]


@pytest.mark.parametrize(
    "text",
    [
        "lunch at noon?",
        # Word forms, not words that merely start alike: names, derivations and compounds stay chatter.
        "Ask Mr Boothe about it",
        "swagger docs updated",
        "eventually we will ship it",
        "an eventful day",
        "the commentary was long",
        "a giftcard for Ana",
        "they conferred about pricing",
        "webinarium",
        # Phrase words apart or out of order are not the phrase.
        "Who can we ask to staff it?",
        "the date to save is Friday",
        "can anyone reply to my email",
        "Can someone check what the customer meant?",
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


# --- explain, dibs classify, the phrases of a post ----------------------------------------


def test_explain_says_which_keyword_or_phrase_matched_which_words():
    hits = explain("Jane COMMENTED; can  someone replies? Two booths.", KINDS)
    assert [(m.kind.name, m.term, m.found, m.phrase) for m in hits] == [
        ("event", "booth", "booths", False),
        ("blog_comment", "comment", "COMMENTED", False),
        ("blog_comment", "can someone reply", "can  someone replies", True),
    ]
    assert classify("Jane COMMENTED; can  someone replies? Two booths.", KINDS) is KINDS["blog_comment"]


def test_dibs_classify_says_the_kind_why_and_the_title(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    settings = tmp_path / "dibs.yml"
    settings.write_text("kinds:\n  press:\n    label: Press mention\n    phrases: [wrote about us]\n")
    monkeypatch.setenv("DIBS_CONFIG", str(settings))
    post = "Someone left a comment on our onboarding blog post asking about SSO, can someone reply?"
    assert main(["classify", post]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Blog comment (blog_comment): matched 'comment' (as 'comment'), phrase 'left a comment',"
        " phrase 'can someone reply'",
        f"Title: {post}",
    ]
    assert main(["classify", "TechCrunch Wrote about us! See you at the booth"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Event (event): matched 'booth' (as 'booth')",
        "Also matched: Press mention (press): phrase 'wrote about us'",
        "Title: TechCrunch Wrote about us! See you at the booth",
    ]
    assert main(["classify", "lunch at noon?"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "No kind: no keyword or phrase of event, blog_comment, gift_campaign, gift_followup, press appears.",
        "Title if tracked by hand: lunch at noon?",
    ]


def test_the_phrases_remembered_of_a_post_skip_stop_words_at_their_ends():
    found = dict(candidates("Hi team! Someone left a comment on our onboarding blog post, can someone reply?"))
    assert found["left a comment"] == "left a comment"
    assert found["onboard blog post"] == "onboarding blog post"
    assert not [w for w in found.values() if w.split()[0] in STOP_WORDS or w.split()[-1] in STOP_WORDS]
    assert "can someone reply" not in found.values()  # begins with a stop word
