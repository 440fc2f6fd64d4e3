"""test_docs_main.py - every main option row is documented, and only those.

Reads the rows of main_optionlist[] from src/cfg_main.c (all of them,
whatever #ifdef they sit in) and the table in doc/options-main.md.
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\s*(?:MO|MISSING|ALIAS|XO|DCC_OPT|DMARC_OPT)\(([a-z0-9_]+),", re.M)
DOC_ROW = re.compile(r"^\| `([a-z0-9_]+)` \|", re.M)


def table_names():
    src = (ROOT / "src" / "cfg_main.c").read_text()
    return set(ROW.findall(src))


def doc_names():
    return DOC_ROW.findall((ROOT / "doc" / "options-main.md").read_text())


def test_table_rows_found():
    assert len(table_names()) > 250


def test_every_option_documented():
    missing = sorted(table_names() - set(doc_names()))
    assert missing == []


def test_no_stale_documentation():
    stale = sorted(set(doc_names()) - table_names())
    assert stale == []


def test_doc_rows_sorted_and_unique():
    names = doc_names()
    assert names == sorted(names)
    assert len(names) == len(set(names))
