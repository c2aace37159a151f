"""Notes are written in Markdown and shown as HTML: this is the one place that turns them
into HTML, safely.

Two locks, because a note is text anyone on the team (or an API key) can write and every
member's browser shows: the parser runs with raw HTML off (a `<script>` in a note stays
text) and refuses links to `javascript:`, `vbscript:` and most `data:` addresses; then nh3
(the Ammonia sanitiser) keeps only the tags and attributes Markdown makes, and gives every
link rel="noopener nofollow".
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# "js-default": CommonMark with raw HTML off and markdown-it's link validation; tables and
# strikethrough on, as people write them in tickets.
_parser = MarkdownIt("js-default", {"breaks": True}).disable("image")

TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
# No style attributes: the pages' Content-Security-Policy refuses inline styles.
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


def note_html(text: str) -> SafeString:
    """The note as HTML that can be put in a page as it is."""
    html = _parser.render(text)
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
    )
    return mark_safe(clean)  # sanitised just above
