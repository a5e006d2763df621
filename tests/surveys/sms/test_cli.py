"""`flask sms parse FILE.tsv`, offline: no application context, no database."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from surveys.sms.cli import load_questions, parse_tsv, sms_cli

HEADER = "question\treply\tnote\n"


def run(tmp_path: Path, content: str | bytes, *extra: str):
    src = tmp_path / "replies.tsv"
    if isinstance(content, bytes):
        src.write_bytes(content)
    else:
        src.write_text(content, encoding="utf-8")
    out = tmp_path / "out.tsv"
    result = CliRunner().invoke(
        sms_cli, ["parse", str(src), "--output", str(out), "--today", "2026-03-01", *extra]
    )
    return result, out.read_text(encoding="utf-8") if out.exists() else ""


def test_writes_read_as_and_keeps_extra_columns(tmp_path):
    rows = [
        "Q1\t1/6/05\ta",
        "Q2\t6 living with my nan\tb",
        "Q3\tgirl\tc",
        "Q4\t1. freedom\\n2. money\td",
        "Q7\tbe kind\\nto yourself\te",
        "Q11\tdunno\tf",
        "Q12\tSTOP\tg",
        "Q1\tim 19\th",
        "Q2\t9\ti",
    ]
    result, out = run(tmp_path, HEADER + "\n".join(rows) + "\n")
    assert result.exit_code == 0, result.output
    lines = out.splitlines()
    assert lines[0] == "question\treply\tnote\tread_as"
    assert [line.split("\t")[3] for line in lines[1:]] == [
        "2005-06-01",
        "6:living with my nan",
        "2",
        "freedom|money",
        "be kind to yourself",
        "not_sure",
        "STOP",
        "age:19",
        "ASK_AGAIN",
    ]
    assert lines[4].split("\t")[1] == "1. freedom\\n2. money"  # the reply is kept as written
    assert [line.split("\t")[2] for line in lines[1:]] == list("abcdefghi")
    assert "Read 9 replies" in result.output


def test_reads_a_bom_and_crlf_and_reports_accuracy_against_expected(tmp_path):
    content = "question\treply\texpected\r\nQ11\tyeah\tyes\r\nq3\tm\t1\r\n3\tF\t1\r\n"
    result, out = run(tmp_path, b"\xef\xbb\xbf" + content.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert out.splitlines()[0] == "question\treply\texpected\tread_as"
    assert out.splitlines()[3].endswith("\t2")
    assert "2 of 3 read as expected (66.7%)" in result.output


def test_standard_output_quotes_and_unknown_questions(tmp_path):
    src = tmp_path / "r.tsv"
    src.write_text('question\treply\nQ7\tshe said "be brave"\nQ9\thello\n', encoding="utf-8")
    result = CliRunner().invoke(parse_tsv, [str(src)])
    assert result.exit_code == 0, result.output
    assert 'Q7\tshe said "be brave"\tshe said "be brave"' in result.output
    assert "Line 3: no question 'Q9'" in result.output


def test_needs_the_columns(tmp_path):
    result, _ = run(tmp_path, "code\tanswer\nQ1\t1/6/05\n")
    assert result.exit_code != 0
    assert "'question' and 'reply'" in result.output


def test_not_utf8_is_a_clear_error(tmp_path):
    result, _ = run(tmp_path, b"question\treply\nQ7\t\xff\xfe\n")
    assert result.exit_code != 0
    assert "not UTF-8" in result.output


def test_questions_load_from_the_toml_without_a_database():
    questions = load_questions()
    assert list(questions) == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q11", "Q12"]
    assert questions["Q2"].options[5]["other"] is True
    assert questions["Q4"].max_items == 3
    assert questions["Q11"].kind_enum == "yes_no_unsure"
