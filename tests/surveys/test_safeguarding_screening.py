"""The safeguarding screening engine: realistic disclosures flag, everyday answers do not."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.safeguarding import screening
from surveys.safeguarding.cli import safeguarding_cli, screen_csv
from surveys.safeguarding.screening import (
    CATEGORIES,
    Rule,
    RuleError,
    load_rules,
    normalise,
    screen,
)

RULES = load_rules()

# (answer, a category it must be flagged under)
MUST_FLAG = [
    # self harm and suicide
    ("I want to kill myself", "self_harm_suicide"),
    ("i wanna die", "self_harm_suicide"),
    ("honestly kms", "self_harm_suicide"),
    ("KMS 😭😭", "self_harm_suicide"),
    ("i want to end it all", "self_harm_suicide"),
    ("sometimes i just want to end it all tbh", "self_harm_suicide"),
    ("I don't want to live anymore", "self_harm_suicide"),
    ("i dont want to be here anymore", "self_harm_suicide"),
    ("I'm not ok, I want to kill myself", "self_harm_suicide"),
    ("im not ok i want to kill myself", "self_harm_suicide"),
    ("been cutting myself again", "self_harm_suicide"),
    ("I self harm when things get bad", "self_harm_suicide"),
    ("i've been self-harming", "self_harm_suicide"),
    ("selfharm is the only thing that helps", "self_harm_suicide"),
    ("I took an overdose in the summer", "self_harm_suicide"),
    ("i od'd last month", "self_harm_suicide"),
    ("feeling suicidal most days", "self_harm_suicide"),
    ("I have suicidal thoughts", "self_harm_suicide"),
    ("I can't go on", "self_harm_suicide"),
    ("i cant go on like this", "self_harm_suicide"),
    ("Everyone would be better off without me", "self_harm_suicide"),
    ("no one would even notice if i was gone", "self_harm_suicide"),
    ("whats the point in living", "self_harm_suicide"),
    ("i wish i was dead", "self_harm_suicide"),
    ("i just want to go to sleep and never wake up", "self_harm_suicide"),
    ("I tried to kill myself last year", "self_harm_suicide"),
    ("I used to self harm", "self_harm_suicide"),
    ("thinking about jumping off a bridge", "self_harm_suicide"),
    ("im gonna k1ll myself", "self_harm_suicide"),
    ("Want 2 die", "self_harm_suicide"),
    ("i want to die lol", "self_harm_suicide"),
    ("nobody knows i cut my arms", "self_harm_suicide"),
    ("I WANT TO DIE", "self_harm_suicide"),
    ("i wanna unalive myself", "self_harm_suicide"),
    ("took a load of paracetamol on friday", "self_harm_suicide"),
    # abuse
    ("he hits me", "abuse"),
    ("nobody knows he hits me", "abuse"),
    ("my stepdad hits me when he's drunk", "abuse"),
    ("mums boyfriend beats me", "abuse"),
    ("my foster carer slapped me", "abuse"),
    ("I get hit at home", "abuse"),
    ("I was abused as a kid", "abuse"),
    ("my dad is abusive", "abuse"),
    ("they're forcing me to marry someone", "abuse"),
    # sexual abuse
    ("my uncle touched me", "sexual_abuse"),
    ("he touched me when i was asleep", "sexual_abuse"),
    ("I was raped", "sexual_abuse"),
    ("i got raped at a party", "sexual_abuse"),
    ("i was sexually assaulted", "sexual_abuse"),
    ("he made me have sex with him", "sexual_abuse"),
    # sexual exploitation
    ("i think im being groomed", "sexual_exploitation"),
    ("I am being groomed online", "sexual_exploitation"),
    ("older guys give me stuff", "sexual_exploitation"),
    ("older men buy me alcohol and give me lifts", "sexual_exploitation"),
    ("he wants me to sleep with his mates", "sexual_exploitation"),
    ("i have to sleep with him for somewhere to stay", "sexual_exploitation"),
    ("he keeps asking me for nudes", "sexual_exploitation"),
    # criminal exploitation
    ("I was made to sell drugs", "criminal_exploitation"),
    ("they make me sell drugs for them", "criminal_exploitation"),
    ("county lines", "criminal_exploitation"),
    ("i got caught up in county lines", "criminal_exploitation"),
    ("they make me hold stuff for them", "criminal_exploitation"),
    ("I owe them money and they said theyll hurt me", "criminal_exploitation"),
    ("dealers have taken over my flat", "criminal_exploitation"),
    ("i carry a knife for protection", "criminal_exploitation"),
    ("they took my passport", "trafficking"),
    # domestic abuse
    ("my boyfriend is really controlling", "domestic_abuse"),
    ("my bf won't let me see my friends", "domestic_abuse"),
    ("my partner takes my money", "domestic_abuse"),
    ("i'm in an abusive relationship", "domestic_abuse"),
    # violence
    ("I got beaten up", "violence"),
    ("got beat up on the estate", "violence"),
    ("I've been threatened", "violence"),
    ("they threatened to stab me", "violence"),
    ("he said hed kill me", "violence"),
    ("people are after me", "violence"),
    ("my drink was spiked", "violence"),
    # unsafe
    ("not safe at home", "unsafe"),
    ("I don't feel safe", "unsafe"),
    ("i dont feel safe where i live", "unsafe"),
    ("I can't keep myself safe", "unsafe"),
    ("scared to go home", "unsafe"),
    ("i'm scared of my stepdad", "unsafe"),
    ("i feel unsafe in my flat", "unsafe"),
    # homeless tonight
    ("no where to sleep tonight", "homeless_tonight"),
    ("I've got nowhere to stay tonight", "homeless_tonight"),
    ("i dont have anywhere to sleep", "homeless_tonight"),
    ("I don't have nowhere to sleep", "homeless_tonight"),
    ("sleeping rough", "homeless_tonight"),
    ("i'm sleeping rough at the moment", "homeless_tonight"),
    ("kicked out tonight", "homeless_tonight"),
    ("my mum kicked me out tonight", "homeless_tonight"),
    ("slept in my car last night", "homeless_tonight"),
    ("im on the streets", "homeless_tonight"),
    # housing insecure
    ("sofa surfing", "housing_insecure"),
    ("I'm sofa surfing at my mates", "housing_insecure"),
    ("i'm homeless", "housing_insecure"),
    ("i have been homeless for 3 months", "housing_insecure"),
    ("I've got nowhere to live", "housing_insecure"),
    ("about to be evicted", "housing_insecure"),
    # neglect and substances
    ("i havent eaten in days", "neglect"),
    ("I have no food and no gas or electric", "neglect"),
    ("i can't stop drinking", "substance_crisis"),
    ("i smoke spice every day", "substance_crisis"),
    # Missed before (an adversarial review): how a young person with dyslexia or English as a
    # second language, or in a hurry, may write it.
    ("i wont to kill myself", "self_harm_suicide"),  # "want" misspelt, once read as "will not"
    ("i wont to die", "self_harm_suicide"),
    ("i wont to end my life", "self_harm_suicide"),
    ("i cant stop cutting myself", "self_harm_suicide"),  # "can't stop" denies nothing
    ("i can't help hurting myself", "self_harm_suicide"),
    ("no i want to kill myself", "self_harm_suicide"),  # a "no" answering the question
    ("no i want to die", "self_harm_suicide"),
    ("i wont be alive next week", "self_harm_suicide"),
    ("i won't be here tomorrow", "self_harm_suicide"),
    ("iwanttodie", "self_harm_suicide"),  # run together
    ("killmyself", "self_harm_suicide"),
    ("i no want to live", "self_harm_suicide"),
    ("i dont want live", "self_harm_suicide"),
    ("he said he kill me", "violence"),
    ("he dont let me leave the house", "domestic_abuse"),
    ("i am beaten by my husband", "violence"),
    ("i want to drink bleach", "self_harm_suicide"),
    ("i sh last night", "self_harm_suicide"),
]

MUST_NOT_FLAG = [
    # everyday answers from care leaver surveys
    "I'm killing it at college",
    "this survey is killing me lol",
    "they cut my hours at work",
    "my PA is a lifesaver",
    "I'm a die hard Arsenal fan",
    "I did a drugs awareness course",
    "I live in safe and settled accommodation",
    "I feel safe now",
    "leaving care was hard",
    "I was bored to death at the review",
    "I was homeless last year but now I have a flat",
    "I used to sofa surf but I've got my own place now",
    "I'm dying to get my own place",
    "My mum will kill me if I fail",
    "I'd kill for a cheaper phone contract",
    "I nearly died laughing",
    "I hit my targets at work",
    "my PA hit me up on whatsapp",
    "it really hit me how much I miss my nan",
    "my social worker leaving really touched me",
    "I got kicked out of college",
    "We had a talk about county lines at college",
    "I did a suicide prevention training course",
    "I volunteer at a homeless shelter",
    "I'm doing a dog grooming course",
    "I'm cutting down on takeaways",
    "I cut my own hair",
    "I hurt myself playing football",
    "my worker pushed me to apply for uni",
    "I'm scared of living on my own",
    "it's 5 kms from my flat to college",
    "kmsl that was so funny",
    "no food allowed in class",
    "I'm addicted to my phone",
    "I beat my brother at FIFA",
    "I can't cope with maths",
    "the stairs aren't safe because of the mould",
    "I'm safe, I'm happy and I'm settled",
    "I want to live in Northbridge",
    "I don't want to live with my mum again",
    "I keep in touch with my foster carers",
    "my friend is killing me with her jokes",
    "dead tired after work",
    "I got hit by a bus fare increase",
    "I slept at my mates after the party",
    "my electric bill went up",
    "I made myself dinner",
    "I don't want to wake up early for college",
    "Please help me find a job",
    "I have a lot of support, I'm doing great",
    "I'm not at risk, I'm fine",
    "learning to cook was hard but I love it now",
    "",
    "n/a",
    "no",
    "😀👍",
]

NEGATED = [
    "I don't feel unsafe",
    "I have never been abused",
    "I'm not homeless",
    "no one hurts me",
    "nobody hits me",
    "I'm not suicidal",
    "I've never self harmed",
    "I'm not being groomed",
    "I have never been threatened",
    "I'm no longer sofa surfing",
    "I'm not sleeping rough",
    "I don't want to die",
    "i never feel unsafe at my flat",
    "i won't kill myself",
    "i wont hurt myself",
    "no, i have never self harmed",
    "no i never wanted to die",
]


@pytest.mark.parametrize(("answer", "category"), MUST_FLAG)
def test_disclosures_flag(answer: str, category: str) -> None:
    result = screen(answer, RULES)
    assert result.flagged, f"missed: {answer!r} -> {normalise(answer)!r}"
    assert category in result.categories, (answer, result.matches)


@pytest.mark.parametrize("answer", MUST_NOT_FLAG)
def test_everyday_answers_do_not_flag(answer: str) -> None:
    result = screen(answer, RULES)
    assert not result.flagged, f"false alarm: {answer!r} -> {result.matches}"
    assert result.severity is None


@pytest.mark.parametrize("answer", NEGATED)
def test_negation_cancels(answer: str) -> None:
    result = screen(answer, RULES)
    assert not result.flagged, f"negated but flagged: {answer!r} -> {result.matches}"


@pytest.mark.parametrize(
    ("answer", "rule_id"),
    [
        ("I don't want to live anymore", "not-want-to-live"),
        ("I can't keep myself safe", "not-safe"),
        ("nobody knows he hits me", "person-hits-me"),
        ("I'm not ok, I want to kill myself", "kill-myself"),
        ("I ain't got nowhere to stay", "nowhere-to-sleep"),
        ("I'm not saying it's easy but I want to die", "want-to-die"),
        ("no one would miss me", "no-point-living"),
    ],
)
def test_negation_does_not_cancel_its_own_words_or_other_clauses(answer: str, rule_id: str) -> None:
    assert rule_id in screen(answer, RULES).rule_ids


def test_past_housing_is_dropped_but_past_abuse_is_kept() -> None:
    assert not screen("I was sofa surfing for a while after I left care", RULES).flagged
    assert not screen("i had nowhere to live when i left care", RULES).flagged
    assert screen("I was sleeping rough last night", RULES).flagged
    assert screen("I was homeless and I still am", RULES).flagged
    assert screen("I was raped when I was 14", RULES).flagged
    assert screen("I was abused in my last placement", RULES).flagged


def test_result_shape_and_severity() -> None:
    result = screen("no where to sleep tonight and I'm scared", RULES)
    assert result.flagged
    assert result.severity == "urgent"
    rule_id, category, text = result.matches[0][:3]
    assert rule_id == "nowhere-to-sleep"
    assert category == "homeless_tonight"
    assert "nowhere to sleep" in text
    assert screen("I'm sofa surfing", RULES).severity == "concern"


def test_default_rules_are_valid_and_cover_their_examples() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.category in CATEGORIES
        assert rule.kind in ("phrase", "pattern", "example")
        if rule.kind == "example":  # matched by the fuzzy and semantic layers
            assert rule.id in screen(rule.text, RULES, layers=["fuzzy"]).rule_ids, rule.id
            continue
        assert rule.examples, f"{rule.id} has no examples"
        for example in rule.examples:
            assert rule.id in screen(example, RULES).rule_ids, (rule.id, example)
    assert {r.category for r in RULES} == set(CATEGORIES)


def test_screen_uses_default_rules_when_none_given() -> None:
    assert screen("kms").flagged
    assert load_rules() == load_rules(screening.DEFAULT_RULES_PATH)


def test_rule_build_matches_the_database_copy_of_a_shipped_rule() -> None:
    shipped = {r.id: r for r in RULES}["homeless"]
    copy = Rule.build(
        id=shipped.id,
        category=shipped.category,
        kind=shipped.kind,
        text=shipped.text,
        exclude=list(shipped.exclude),
    )
    assert copy.past_cancels and copy.topic
    assert not screen("I was homeless last year", [copy]).flagged
    assert screen("I am homeless", [copy]).flagged


def test_phrase_rules_and_excludes() -> None:
    rule = Rule.build(
        id="kill-time",
        category="violence",
        kind="phrase",
        text="Don't kill",
        exclude=["do not kill time"],
    )
    assert screen("please don\u2019t kill me", [rule]).flagged
    assert not screen("I don't kill time", [rule]).flagged
    assert not screen("dontkillers", [rule]).flagged  # whole words only


@pytest.mark.parametrize(
    "kwargs",
    [
        {"id": "Bad Id", "category": "abuse", "kind": "phrase", "text": "x"},
        {"id": "ok", "category": "nonsense", "kind": "phrase", "text": "x"},
        {"id": "ok", "category": "abuse", "kind": "glob", "text": "x"},
        {"id": "ok", "category": "abuse", "kind": "pattern", "text": "(unclosed"},
        {"id": "ok", "category": "abuse", "kind": "pattern", "text": "don't"},
        {"id": "ok", "category": "abuse", "kind": "pattern", "text": "{{nope}}"},
        {"id": "ok", "category": "abuse", "kind": "phrase", "text": "  "},
        {"id": "ok", "category": "abuse", "kind": "phrase", "text": "x", "severity": "high"},
        {"id": "ok", "category": "abuse", "kind": "phrase", "text": "x", "colour": "red"},
    ],
)
def test_invalid_rules_are_refused(kwargs: dict) -> None:
    with pytest.raises(RuleError):
        Rule.build(**kwargs)


def test_load_rules_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[macros]\nwho = "(?:he|she)"\n\n'
        '[[rule]]\nid = "who-hits"\ncategory = "abuse"\nkind = "pattern"\n'
        "text = ['{{who}} hits me', 'belts me']\n",
        encoding="utf-8",
    )
    (rule,) = load_rules(path)
    assert screen("she hits me", [rule]).flagged
    assert screen("he belts me", [rule]).flagged
    path.write_text(path.read_text() + path.read_text().split("\n\n", 1)[1], encoding="utf-8")
    with pytest.raises(RuleError, match="duplicate"):
        load_rules(path)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I\u2019M NOT OK", "i am not ok"),
        ("dont  wanna\n\tlive", "do not want to live"),
        ("self-harm", "self harm"),
        ("k1ll myslef 🔪🔪", "kill myself"),
        ("no1 cares 2nite", "no one cares tonight"),
        ("soooo sad", "soo sad"),
        ("he'll hurt me", "he will hurt me"),
        ("i cant", "i can not"),
        ("\uff46\uff55\uff4c\uff4c width", "full width"),
        ("z\u0335a\u0336l\u0337g\u0338o", "zalgo"),
        ("a\x00b\x1bc", "a b c"),
        ("", ""),
        # Words run together are spaced only when made wholly of a disclosure's words.
        ("iwanttodie", "i want to die"),
        ("killmyself", "kill myself"),
        ("behind the bike shed", "behind the bike shed"),
        ("homework timetable", "homework timetable"),
        # Second-language English, put the way the rules read it.
        ("i wont to die", "i want to die"),
        ("i wont be late", "i will not be late"),
        ("i no want to live", "i do not want to live"),
        ("he dont let me", "he does not let me"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02" * 100,
        "🏳️‍🌈" * 500,
        "\u202e\u200b\ufeff kill myself",
        "a" * 20_000,
        ("no " * 5000),
        "\ud800",  # a lone surrogate
        "((((((((((" * 200,
    ],
)
def test_odd_input_does_not_crash(text: str) -> None:
    screen(text, RULES)


def test_screening_10000_characters_is_fast() -> None:
    base = (
        "I moved into my flat in March. My PA helps me with bills and I'm doing a course "
        "at college, it's going ok but money is tight and I'm lonely sometimes. "
    )
    text = (base * (10_000 // len(base) + 1))[:9_980] + " i wanna die"
    screen(text, RULES)
    best = min(_timed(text, ["rules"]) for _ in range(5))
    assert best < 0.05, f"rules: {best * 1000:.1f} ms"
    # The fuzzy layer aligns every example with every sentence: still well under a second.
    best = min(_timed(text, ["rules", "spelling", "fuzzy"]) for _ in range(3))
    assert best < 0.5, f"rules, spelling and fuzzy: {best * 1000:.1f} ms"
    assert screen(text, RULES).flagged


def _timed(text: str, layers: list[str]) -> float:
    start = time.perf_counter()
    screen(text, RULES, layers=layers)
    return time.perf_counter() - start


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_screen_never_raises_and_is_deterministic(text: str) -> None:
    first = screen(text, RULES)
    assert first == screen(text, RULES)
    assert first.flagged == bool(first.matches)
    assert normalise(normalise(text)) == normalise(normalise(normalise(text)))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "i",
                "not",
                "never",
                "want",
                "to",
                "die",
                "kill",
                "myself",
                "he",
                "hits",
                "me",
                ",",
                ".",
                "no",
                "one",
                "safe",
                "homeless",
                "was",
                "sofa",
                "surfing",
                "😭",
                "kms",
                "lol",
                "'",
                "-",
            ]
        ),
        max_size=30,
    )
)
def test_screen_on_word_soup(words: list[str]) -> None:
    text = " ".join(words)
    assert screen(text, RULES) == screen(text, RULES)


# --------------------------------------------------------------------------- the CLI


def _csv(rows: list[dict[str, str]], bom: bool = False) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "") + buf.getvalue()


@pytest.mark.parametrize("bom", [False, True])
def test_cli_screens_a_csv_to_a_file(tmp_path: Path, bom: bool) -> None:
    src = tmp_path / "answers.csv"
    out = tmp_path / "out.csv"
    src.write_text(
        _csv(
            [
                {"id": "1", "answer": "My PA is a lifesaver"},
                {"id": "2", "answer": "nowhere to sleep tonight, I want to die"},
                {"id": "3", "answer": ""},
            ],
            bom=bom,
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(safeguarding_cli, ["screen", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["id", "answer", "flagged", "level", "rules", "layers"]
    assert [r["flagged"] for r in rows] == ["no", "yes", "no"]
    assert [r["level"] for r in rows] == ["", "likely", ""]
    assert rows[1]["rules"].split("|")[:2] == ["want-to-die", "nowhere-to-sleep"]
    assert rows[1]["layers"].startswith("rules")
    assert rows[0]["rules"] == ""


def test_cli_writes_to_stdout_and_needs_an_answer_column(tmp_path: Path) -> None:
    src = tmp_path / "answers.csv"
    src.write_text("answer,round\nkms,spring\nall good,spring\n", encoding="utf-8")
    result = CliRunner().invoke(screen_csv, [str(src)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["round"], r["flagged"], r["level"], r["rules"]) for r in rows] == [
        ("spring", "yes", "likely", "kms"),
        ("spring", "no", "", ""),
    ]

    bad = tmp_path / "bad.csv"
    bad.write_text("text\nhello\n", encoding="utf-8")
    result = CliRunner().invoke(screen_csv, [str(bad)])
    assert result.exit_code != 0
    assert "answer" in result.output
