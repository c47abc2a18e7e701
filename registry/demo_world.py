"""A small, realistic world of government repositories on a FakeGitHub.

Used by ``govcode demo`` and by the story test: Alberta Health Services publishes a
COVID-19 self-assessment tool; the Ontario Digital Service forks it; a handful of other
agencies publish code in several languages and licences, some with publiccode.yml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from localforge.github import FakeGitHub

COMMON_LICENCES = Path("/usr/share/common-licenses")

MIT = """MIT License

Copyright (c) {year} {holder}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

AGENCIES = {
    "alberta-health-services": ("Alberta Health Services", "ca"),
    "ontario-digital-service": ("Ontario Digital Service", "ca"),
    "cds-snc": ("Canadian Digital Service", "ca"),
    "alphagov": ("Government Digital Service", "gb"),
    "italia": ("Developers Italia", "it"),
    "gsa": ("U.S. General Services Administration", "us"),
}

ALBERTA = "alberta-health-services"
ONTARIO = "ontario-digital-service"
COVID = f"{ALBERTA}/covid-self-assessment"


def licence_text(spdx: str, holder: str, year: int = 2020) -> str:
    """MIT written here; others from Debian's /usr/share/common-licenses (always installed)."""
    if spdx == "MIT":
        return MIT.format(year=year, holder=holder)
    name = {"GPL-3.0": "GPL-3", "LGPL-3.0": "LGPL-3"}.get(spdx, spdx)
    path = COMMON_LICENCES / name
    if not path.exists():
        return MIT.format(year=year, holder=holder)
    return path.read_text()


def publiccode(
    name: str,
    url: str,
    *,
    status: str,
    licence: str,
    langs: dict[str, str],
    based_on: str | None = None,
) -> str:
    desc = "".join(
        f"  {lang}:\n    shortDescription: {short}\n    longDescription: >\n"
        f"      {short}. {(short + '. ') * 12}\n    features:\n      - {short}\n"
        for lang, short in langs.items()
    )
    based = f"isBasedOn:\n  - {based_on}\n" if based_on else ""
    return (
        f"publiccodeYmlVersion: '0.4'\nname: {name}\nurl: {url}\n{based}"
        f"releaseDate: '2021-03-01'\nplatforms:\n  - web\ncategories:\n  - data-collection\n"
        f"developmentStatus: {status}\nsoftwareType: standalone/web\n"
        f"description:\n{desc}"
        f"legal:\n  license: {licence}\n"
        f"maintenance:\n  type: internal\n  contacts:\n    - name: Maintainers\n"
        f"localisation:\n  localisationReady: true\n  availableLanguages:\n"
        + "".join(f"    - {lang}\n" for lang in langs)
    )


COVID_README = """# COVID-19 self-assessment

[![ci](https://img.shields.io/badge/ci-passing-green)](#)

Alberta Health Services' online COVID-19 self-assessment tool: a short questionnaire
that tells people whether they should get tested, stay home and isolate, or seek care,
and points them to the right service in their area. It runs entirely in the browser,
stores nothing about the person answering, and works on phones and screen readers.

## Running it

```
npm install
npm start
```

## Adapting it for your province or territory

Fork the repository and edit `src/questions.js` (the questions and the advice each
answer leads to) and `src/region.js` (names, phone numbers and links). The logic in
`src/index.js` needs no change. Translations live beside the questions.

## Contributing

Read CONTRIBUTING.md. Report security problems as SECURITY.md says, not in issues.

## Licence

MIT: reuse it freely, keep the copyright notice.
"""

AUTHORS = [
    ("Priya Nair", "priya.nair@ahs.example"),
    ("Tom Chen", "tom.chen@ahs.example"),
    ("Marie Roy", "marie.roy@ahs.example"),
    ("Sam Okafor", "sam.okafor@ahs.example"),
]


def _history(fake: FakeGitHub, full_name: str, now: datetime) -> None:
    """Two years of work by four people, three releases, recent activity."""
    days_ago = [700, 600, 500, 420, 330, 300, 250, 200, 150, 120, 85, 60, 40, 25, 15]
    for i, days in enumerate(days_ago):
        tag = {4: "v1.1.0", 9: "v1.2.0"}.get(i)
        fake.push(
            full_name,
            {"src/changelog.js": f"export const VERSION_NOTES = {i};\n"},
            message=f"Update advice ({i})",
            author=AUTHORS[i % len(AUTHORS)],
            commit_date=now - timedelta(days=days),
            tags=(tag,) if tag else (),
        )


@dataclass
class DemoWorld:
    fake: FakeGitHub
    agencies: dict[str, tuple[str, str]]

    def ontario_fork(self) -> str:
        """Ontario forks Alberta's tool and declares it in its publiccode.yml."""
        self.fake.fork(COVID, ONTARIO)
        return self.adapt_ontario_fork()

    def adapt_ontario_fork(self) -> str:
        """Ontario adapts its fork (however it was made) and says isBasedOn Alberta's tool."""
        full = f"{ONTARIO}/covid-self-assessment"
        self.fake.push(
            full,
            {
                "publiccode.yml": publiccode(
                    "COVID-19 self-assessment (Ontario)",
                    self.fake.html_url(full),
                    status="stable",
                    licence="MIT",
                    langs={"en": "Ontario COVID-19 self-assessment", "fr": "Auto-évaluation"},
                    based_on=self.fake.html_url(COVID),
                ),
                "src/region.js": "export const REGION = 'Ontario';\n",
            },
            message="Adapt for Ontario",
        )
        return full


def build(fake: FakeGitHub, *, now: datetime | None = None, with_fork: bool = True) -> DemoWorld:
    now = now or datetime.now(UTC)
    for login, (name, _) in AGENCIES.items():
        fake.add_org(login, name=name)
    recent = now - timedelta(days=12)
    born = now - timedelta(days=800)
    covid_url = fake.urls.base + "/" + COVID
    fake.add_repo(
        ALBERTA,
        "covid-self-assessment",
        {
            "LICENSE": licence_text("MIT", "Alberta Health Services"),
            "README.md": COVID_README,
            "publiccode.yml": publiccode(
                "COVID-19 self-assessment",
                covid_url,
                status="stable",
                licence="MIT",
                langs={
                    "en": "COVID-19 self assessment questionnaire",
                    "fr": "Questionnaire d'auto-évaluation COVID-19",
                },
            ),
            "package.json": '{"name": "covid-self-assessment", "version": "1.1.0", '
            '"license": "MIT", "dependencies": {"react": "^17.0.2"}}\n',
            "src/index.js": "import { questions } from './questions.js';\n" * 40,
            "src/questions.js": "export const questions = [\n"
            + "  { id: 'fever', text: 'Do you have a fever?' },\n" * 60
            + "];\n",
            "public/index.html": "<!doctype html><title>COVID-19 self-assessment</title>\n" * 5,
            "src/styles.css": "body { font-family: sans-serif; }\n" * 10,
            "tests/questions.test.js": "test('has questions', () => {});\n",
            ".github/workflows/ci.yml": "on: push\njobs: {test: {runs-on: ubuntu-latest}}\n",
            "CONTRIBUTING.md": "# Contributing\n\nPull requests welcome.\n",
            "SECURITY.md": "# Security\n\nReport vulnerabilities to security@ahs.example.\n",
        },
        description="COVID-19 self-assessment tool",
        topics=["covid-19", "health", "self-assessment"],
        licence_spdx="MIT",
        stars=120,
        commit_date=born,
        tags=("v1.0.0",),
        releases=("v1.0.0", "v1.1.0", "v1.2.0"),
    )
    _history(fake, COVID, now)
    _others(fake, recent)
    world = DemoWorld(fake=fake, agencies=AGENCIES)
    if with_fork:
        world.ontario_fork()
    return world


def _others(fake: FakeGitHub, recent: datetime) -> None:
    old = recent - timedelta(days=800)
    specs = [
        (
            "alberta-health-services",
            "clinic-finder",
            "Apache-2.0",
            "Find a clinic near you",
            {
                "app/main.py": "def main():\n    return 'clinics'\n" * 30,
                "requirements.txt": "flask==3.0.0\n",
            },
            ["health", "maps"],
            recent,
            False,
        ),
        (
            "ontario-digital-service",
            "ontario-design-system",
            "MIT",
            "Ontario's design system: components and styles",
            {
                "src/button.scss": ".button { color: #1a5a96; }\n" * 40,
                "src/button.js": "export function button() { return 1; }\n" * 20,
            },
            ["design-system", "accessibility"],
            recent,
            False,
        ),
        (
            "cds-snc",
            "notification-api",
            "MIT",
            "GC Notify API: send emails and text messages",
            {
                "app/api.py": "def send(notification):\n    return notification\n" * 50,
                "tests/test_api.py": "def test_send():\n    assert True\n",
            },
            ["notifications", "email", "sms"],
            recent,
            False,
        ),
        (
            "cds-snc",
            "covid-alert-server",
            "Apache-2.0",
            "Exposure notification server for COVID Alert (retired)",
            {"server/main.go": "package main\n\nfunc main() {}\n" * 30},
            ["covid-19", "exposure-notification"],
            old,
            True,
        ),
        (
            "alphagov",
            "govuk-frontend",
            "MIT",
            "GOV.UK Frontend: the design system's code",
            {
                "packages/button.mjs": "export class Button {}\n" * 40,
                "packages/button.scss": ".govuk-button { display: inline-block; }\n" * 30,
            },
            ["design-system", "frontend"],
            recent,
            False,
        ),
        (
            "italia",
            "design-comuni",
            "GPL-3.0",
            "Modello di sito per i Comuni italiani",
            {"src/index.php": "<?php echo 'Comune';\n" * 50},
            ["comuni", "website"],
            recent,
            False,
        ),
        (
            "gsa",
            "code-gov-api",
            "CC0-1.0",
            "The code.gov API: federal source code inventory",
            {"lib/api.rb": "class Api\n  def index; end\nend\n" * 30},
            ["inventory", "api"],
            old,
            False,
        ),
    ]
    for owner, name, spdx, description, files, topics, when, archived in specs:
        holder = AGENCIES[owner][0]
        fake.add_repo(
            owner,
            name,
            {
                "LICENSE": licence_text(spdx, holder),
                "README.md": f"# {name}\n\n{description}.\n",
                **files,
            },
            description=description,
            topics=topics,
            licence_spdx=spdx if spdx != "GPL-3.0" else "GPL-3.0-only",
            commit_date=when,
            archived=archived,
        )
