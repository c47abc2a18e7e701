"""READMEs render like the forge shows them, and nothing in one can run on our pages."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from web.readme_html import ReadmeLocation, render_readme


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def assert_inert(html: str) -> None:
    found = Elements(html)
    assert not found.tags & {"script", "style", "iframe", "form", "input", "svg", "object"}
    for tag, name, value in found.attributes:
        assert not name.startswith("on") and name != "style", (tag, name)
        if name in ("href", "src"):
            assert value.startswith(("https://", "http://", "mailto:", "#")), (tag, value)
            assert not value.startswith("//"), value


GITHUB = ReadmeLocation("github", "https://github.com/ahs/covid", "0a1b2c", "docs/README.md")
GITLAB = ReadmeLocation("gitlab", "https://gitlab.com/gov/health/tool", "0a1b2c", "README.md")
PLAIN = ReadmeLocation("git", "https://git.example.gov/city/permits", "0a1b2c", "README.md")


def test_markdown_with_tables_code_and_demoted_headings():
    html = render_readme(
        "# Tool\n\nIt *works*.\n\n## Install\n\n```sh\nmake demo\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | ~~2~~ |\n",
        "markdown",
        GITHUB,
    )
    assert '<h3 id="readme-tool">Tool</h3>' in html and '<h4 id="readme-install">' in html
    assert "<h1" not in html and "<h2" not in html  # the page's own levels
    assert "<pre><code" in html and "make demo" in html
    assert "<table>" in html and "<s>2</s>" in html


def test_relative_links_and_images_go_to_the_forge_at_the_crawled_commit():
    html = render_readme(
        "[guide](../CONTRIBUTING.md#how) ![logo](img/logo.png) [root](/LICENSE) "
        '<img src="shot.png" alt="shot"> [toc](#install)',
        "markdown",
        GITHUB,
    )
    assert 'href="https://github.com/ahs/covid/blob/0a1b2c/CONTRIBUTING.md#how"' in html
    assert 'src="https://github.com/ahs/covid/raw/0a1b2c/docs/img/logo.png"' in html
    assert 'href="https://github.com/ahs/covid/blob/0a1b2c/LICENSE"' in html
    assert 'src="https://github.com/ahs/covid/raw/0a1b2c/docs/shot.png"' in html  # raw HTML too
    assert 'href="#readme-install"' in html
    gitlab = render_readme("![x](a.png) [y](b.md)", "markdown", GITLAB)
    assert "https://gitlab.com/gov/health/tool/-/raw/0a1b2c/a.png" in gitlab
    assert "https://gitlab.com/gov/health/tool/-/blob/0a1b2c/b.md" in gitlab


def test_relative_links_are_dropped_where_the_host_has_no_web_view_or_leave_the_repository():
    html = render_readme("[y](b.md) ![x](a.png) [up](../../../etc/passwd)", "markdown", PLAIN)
    assert "href=" not in html and "src=" not in html and ">y</a>" in html
    up = render_readme("[up](../../../etc/passwd)", "markdown", GITHUB)
    assert "href=" not in up


def test_nothing_that_runs_survives():
    hostile = (
        "<script>alert(1)</script>\n\n"
        '<img src="https://x.example/a.png" onerror="alert(1)">\n\n'
        '<a href="javascript:alert(1)">j</a> [md](javascript:alert(2)) '
        "[data](data:text/html;base64,PHNjcmlwdD4=) ![px](data:image/png;base64,AAAA) "
        "![proto](//evil.example/x.png) <iframe src=https://x.example></iframe>"
        '<p style="position:fixed">s</p><form action="https://x.example"><input></form>'
    )
    html = render_readme(hostile, "markdown", GITHUB)
    assert_inert(html)
    assert 'src="https://x.example/a.png"' in html  # the image itself stays


def test_plain_text_is_escaped_and_long_readmes_are_capped():
    html = render_readme("<b>not bold</b>\nline two", "text", GITHUB)
    assert html.startswith('<pre class="readme-text">') and "&lt;b&gt;" in html
    long = render_readme("word " * 10_000, "markdown", GITHUB, max_chars=1_000)
    assert len(long) < 2_000 and "read it on the forge" in long
    assert render_readme("   ", "markdown", GITHUB) == ""


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:",
             '<a href="', '">', "[a](", ")", "![i](", "<svg onload=alert(1)>", "<", ">",
             "&#106;avascript:", "\n\n", "# h", "`", "<style>", "<details open ontoggle=x>"]
        )
        | st.text(max_size=20),
        max_size=30,
    ).map("".join)
)  # fmt: skip
def test_any_readme_renders_without_script_handlers_or_script_urls(source):
    assert_inert(render_readme(source, "markdown", GITHUB))
