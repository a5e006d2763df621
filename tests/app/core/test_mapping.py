"""The column-mapping rule both import screens share."""

from __future__ import annotations

from app.core.mapping import column_problem, guess_columns, posted_columns, with_remembered


def test_columns_are_guessed_from_keys_and_synonyms_whatever_the_case_or_spacing():
    guessed = guess_columns(
        ["First_Name", "SURNAME", "D.O.B.", "Phone", "Mobile number", "Notes", "q2 other"],
        ["first_name", "last_name", "date_of_birth", "mobile", "Q2_other"],
        {
            "surname": "last_name",
            "d.o.b.": "date_of_birth",
            "phone": "mobile",
            "mobile number": "mobile",
        },
    )
    assert guessed == {
        "First_Name": "first_name",
        "SURNAME": "last_name",
        "D.O.B.": "date_of_birth",
        "Phone": "mobile",
        "Mobile number": "",  # mobile is guessed for one column only
        "Notes": "",
        "q2 other": "Q2_other",
    }


def test_a_remembered_mapping_wins_over_the_guesses_for_columns_the_file_has():
    guessed = {"Name": "name", "Phone": "mobile"}
    assert with_remembered(guessed, {"Phone": "", "Gone": "email"}) == {"Name": "name", "Phone": ""}
    assert with_remembered(guessed, None) == guessed


def test_the_form_fields_and_the_problems_every_import_refuses():
    columns = posted_columns({"col-0": "name", "col-1": "name"}, ["A", "B", "C"])
    assert columns == {"A": "name", "B": "name", "C": ""}
    assert column_problem(columns, {"", "name"}, lambda t: f"{t} twice") == "name twice"
    assert column_problem({"A": "x"}, {"", "name"}, str) == (
        "Choose what the column 'A' holds from the list"
    )
    assert column_problem({"A": "name", "B": ""}, {"", "name"}, str) is None
