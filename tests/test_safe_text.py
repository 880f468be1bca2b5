from formcheck.safe_text import csv_cell, printable


def test_formula_cells_are_neutralised_and_numbers_kept():
    for bad in ('=HYPERLINK("http://x"&A1,"click")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(bad) == "'" + bad
    assert csv_cell("Ann Smith") == "Ann Smith"
    assert csv_cell(-3.5) == -3.5


def test_control_characters_are_stripped():
    assert printable("Ann\x1b[31m Smith\x07\x9b") == "Ann[31m Smith"
    assert printable("two\tcolumns\nlines") == "two\tcolumns\nlines"
