"""HTML to text keeps block boundaries and drops what a reader does not see."""

from __future__ import annotations

from notifier.htmltext import html_to_text, looks_like_html, to_text


def test_paragraphs_lines_and_lists() -> None:
    html = (
        "<h2>Key figures</h2><p>Floods displaced <b>12,000 people</b>\n across "
        "three districts.</p><ul>\n <li>40 killed</li>\n <li>85 injured</li>\n</ul>"
        "<p>Line one<br>line two</p>"
    )
    assert html_to_text(html) == (
        "Key figures\n\nFloods displaced 12,000 people across three districts.\n\n"
        "• 40 killed\n• 85 injured\n\nLine one\nline two"
    )


def test_tables_keep_rows_on_one_line() -> None:
    html = (
        "<table><tr><th>Killed</th><td>1,200</td></tr><tr><td>Missing</td><td>300</td></tr></table>"
    )
    assert html_to_text(html) == "Killed | 1,200\nMissing | 300"


def test_scripts_styles_and_entities() -> None:
    html = "<style>p{color:red}</style><p>Caf&eacute; &amp; &#8220;quotes&#8221;</p><script>alert(1)</script>"
    assert html_to_text(html) == "Café & “quotes”"


def test_nested_blocks_give_one_break() -> None:
    assert html_to_text("<div><div><p>a</p></div></div><div><p>b</p></div>") == "a\n\nb"


def test_broken_markup_is_tolerated() -> None:
    assert html_to_text("<p>open <b>bold <i>both</p><p>next") == "open bold both\n\nnext"


def test_plain_text_is_left_alone() -> None:
    assert not looks_like_html("3 < 5 and 7 > 2")
    assert to_text("  3 < 5\n\nnext  ") == "3 < 5\n\nnext"
    assert looks_like_html("Tom &amp; Jerry")
    assert looks_like_html("<p>x</p>")
