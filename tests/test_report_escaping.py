"""Any user text prints as typed: markup characters, quotes, ₹ and accents (DESIGN §9)."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.platypus import SimpleDocTemplate

from desktop.reports import common

ALPHABET = "abcXYZ019 <>&;=/\"'“”‘’—–₹éüñç#%()[]{}"


@given(st.text(alphabet=ALPHABET, min_size=1, max_size=60).filter(lambda s: s.strip()))
@settings(max_examples=40, deadline=None)
def test_user_text_round_trips_through_the_pdf(tmp_path_factory, text):
    common.register_fonts()
    path = tmp_path_factory.mktemp("esc") / "t.pdf"
    SimpleDocTemplate(str(path)).build([common.para(text)])
    extracted = "".join(page.extract_text() for page in PdfReader(str(path)).pages)
    assert re.sub(r"\s+", "", extracted) == re.sub(r"\s+", "", text)


def test_markup_looking_text_is_not_markup():
    for text in ["<b>bold</b>", "<img src='x.png'/>", "&amp; &lt;", "<font color=red>x"]:
        assert common.esc(text) != text      # escaped, so ReportLab prints it literally
        common.para(text)                    # and it parses without error


@given(st.text(alphabet=ALPHABET, max_size=400), st.floats(20, 500))
@settings(max_examples=60, deadline=None)
def test_fit_keeps_the_longest_prefix_that_fits(text, width):
    common.register_fonts()
    shown = common.fit(text, common.FONT, 8, width)
    if shown == text:
        assert common.pdfmetrics.stringWidth(text, common.FONT, 8) <= width
    else:
        assert shown.endswith("…") and text.startswith(shown[:-1])
        assert common.pdfmetrics.stringWidth(shown, common.FONT, 8) <= width
        longer = text[:len(shown)] + "…"       # one more character would not fit
        assert common.pdfmetrics.stringWidth(longer, common.FONT, 8) > width
