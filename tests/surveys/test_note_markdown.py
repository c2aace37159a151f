"""Notes are Markdown shown as HTML: what people write comes out formatted, and nothing in a
note can run in a member's browser or send them somewhere through a script."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from npsloop.surveys.markdown import note_html


class Elements(HTMLParser):
    """The elements and attributes a browser would build from the HTML, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [(name, value or "") for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text += data


def test_it_formats_what_people_write_in_tickets() -> None:
    html = note_html(
        "**Called** them, _twice_.\n\n- refund `INV-7`\n- see <https://help.example.com/t/1>\n\n"
        "> they were polite\n\n| plan | seats |\n|---|:-:|\n| pro | 40 |"
    )
    assert "<strong>Called</strong>" in html and "<em>twice</em>" in html
    assert "<li>refund <code>INV-7</code></li>" in html
    assert (
        '<a href="https://help.example.com/t/1" rel="noopener nofollow">'
        "https://help.example.com/t/1</a>"
    ) in html
    assert "<blockquote>" in html
    assert "<td>pro</td>" in html and "style=" not in html  # alignment would need a style


def test_line_breaks_are_kept() -> None:
    assert note_html("first\nsecond") == "<p>first<br>\nsecond</p>\n"


@pytest.mark.parametrize(
    "note",
    [
        '<script>alert("x")</script>',
        '<img src=x onerror="alert(1)">',
        '<a href="https://example.com" onclick="alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<svg onload="alert(1)"></svg>',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '[x](https://example.com "t" onmouseover="alert(1)")',
        "![x](javascript:alert(1))",
        "<javascript:alert(1)>",
    ],
)
def test_nothing_in_a_note_can_run(note: str) -> None:
    elements = Elements()
    elements.feed(note_html(note))
    assert elements.tags <= {"p", "a"}
    for name, value in elements.attributes:
        assert name in ("href", "rel", "title"), name
        if name == "href":
            assert value.startswith(("https:", "http:", "mailto:")), value
    # What was written is still there to read, as text.
    assert elements.text.strip()


def test_html_in_a_note_is_shown_as_text() -> None:
    assert note_html("<b>bold?</b>") == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>\n"


def test_every_link_gets_noopener_nofollow() -> None:
    html = note_html("[docs](https://docs.example.com) and [mail](mailto:ann@example.com)")
    assert html.count('rel="noopener nofollow"') == 2
    assert "href" not in note_html("[x](ftp://example.com/file)")
