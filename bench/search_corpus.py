"""Catalogues and queries for bench/search.py: the real French public repository list, and a
synthetic catalogue of any size scaled from its statistics (Zipf vocabulary, ~60 licences with
MIT ~36 %, ~50 languages, 5 maturity levels, ~2,000 agencies in ~40 countries, ~2 KB READMEs)."""

from __future__ import annotations

import csv
import itertools
import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

FRANCE_CSV = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/france/data-codes-sources-fr__data_repositories_csv_all.csv"
)
SPDX = {
    "MIT License": "MIT",
    "GNU General Public License v3.0": "GPL-3.0-only",
    "GNU Affero General Public License v3.0": "AGPL-3.0-only",
    "Apache License 2.0": "Apache-2.0",
    "GNU Lesser General Public License v2.1": "LGPL-2.1-only",
    'BSD 3-Clause "New" or "Revised" License': "BSD-3-Clause",
    "GNU General Public License v2.0": "GPL-2.0-only",
    "GNU Lesser General Public License v3.0": "LGPL-3.0-only",
    "Eclipse Public License 2.0": "EPL-2.0",
    "Eclipse Public License 1.0": "EPL-1.0",
}
MATURITY = ["stable", "beta", "development", "concept", "obsolete"]
NOW = datetime(2026, 11, 1, tzinfo=UTC)
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def _date(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def france() -> list[dict]:
    """The real list (about 9,160 repositories) as index_feed rows."""
    rows = []
    with FRANCE_CSV.open(newline="", encoding="utf-8") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=1):
            rows.append(
                {
                    "id": i,
                    "name": r["name"],
                    "full_name": f"{r['organization_name']}/{r['name']}",
                    "description": r["description"].strip(),
                    "topics": [t for t in r["topics"].split(",") if t],
                    "readme": "",
                    "licence": SPDX.get(r["license"], r["license"] or None),
                    "languages": [r["language"]] if r["language"] else [],
                    "maturity": "development",
                    "agency": r["organization_name"].lower(),
                    "country": "fr",
                    "stars": int(r["stars_count"] or 0),
                    "updated": _date(r["last_update"]),
                    "forge": r["platform"].lower() or "git",
                    "archived": r["is_archived"] == "True",
                    "is_fork": r["is_fork"] == "True",
                    "reused": 0,
                }
            )
    return rows


def vocabulary(rows: list[dict]) -> list[str]:
    """Words of the real descriptions, most frequent first (the Zipf head), then made-up
    words for the long tail."""
    counts = Counter(w.lower() for r in rows for w in _WORD.findall(r["description"]))
    words = [w for w, _ in counts.most_common()]
    rng = random.Random(3)
    letters = "abcdefghilmnoprstuv"
    tail = {"".join(rng.choices(letters, k=rng.randint(5, 10))) for _ in range(40_000)}
    return words + sorted(tail - set(words))


def _zipf_weights(n: int, s: float = 1.05) -> list[float]:
    return list(itertools.accumulate(1 / (k**s) for k in range(1, n + 1)))


def synthetic(n: int, seed: int = 11) -> list[dict]:
    return list(iter_synthetic(n, seed))


def iter_synthetic(n: int, seed: int = 11) -> Iterator[dict]:
    """The synthetic catalogue one row at a time (a million rows never sit in memory)."""
    real = france()
    vocab = vocabulary(real)
    cum = _zipf_weights(len(vocab))
    rng = random.Random(seed)
    licences = ["MIT"] + [f"LIC-{i}" for i in range(59)]
    lic_w = [36.0] + [64 / 59] * 59
    languages = [f"Lang{i}" for i in range(50)]
    lang_cum = _zipf_weights(50, 1.2)
    countries = [f"c{i:02d}" for i in range(40)]
    agencies = [(f"agency-{i}", countries[i % 40]) for i in range(2000)]
    ag_cum = _zipf_weights(2000, 0.9)
    topics = vocab[:3000]

    def text(k: int) -> str:
        return " ".join(rng.choices(vocab, cum_weights=cum, k=k))

    for i in range(1, n + 1):
        agency, country = rng.choices(agencies, cum_weights=ag_cum)[0]
        yield (
            {
                "id": i,
                "name": "-".join(rng.choices(vocab[:5000], k=rng.randint(1, 3))),
                "full_name": f"{agency}/repo-{i}",
                "description": text(rng.randint(4, 16)),
                "topics": rng.sample(topics, rng.randint(0, 4)),
                "readme": text(rng.randint(150, 400)),  # ~2 KB
                "licence": rng.choices(licences, weights=lic_w)[0],
                "languages": list(dict.fromkeys(rng.choices(languages, cum_weights=lang_cum, k=2))),
                "maturity": rng.choice(MATURITY),
                "agency": agency,
                "country": country,
                "stars": int(rng.paretovariate(1.2)) - 1,
                "updated": NOW - timedelta(days=rng.randint(0, 3000)),
                "forge": rng.choice(["github", "gitlab", "git"]),
                "archived": rng.random() < 0.08,
                "is_fork": rng.random() < 0.1,
                "reused": int(rng.paretovariate(2)) - 1,
            }
        )


QUERY_SAMPLE = 200_000  # rows the queries are drawn from (all of them, up to this size)


def rows_of(corpus) -> Iterator[dict]:
    """The rows of a corpus: a list of rows, or ``("synthetic", n, seed)`` generated."""
    if isinstance(corpus, tuple):
        _, n, seed = corpus
        return iter_synthetic(n, seed)
    return iter(corpus)


def chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    it = iter(rows)
    while batch := list(itertools.islice(it, size)):
        yield batch


def queries(rows: list[dict], n: int = 200, seed: int = 5) -> list[dict]:
    """1–3 words from the catalogue's own descriptions, half with 1–2 filters, 38 % by
    recency. People search with content words, so the 100 most common words of the catalogue
    (the, for, de, la…) are not drawn."""
    rng = random.Random(seed)
    common = {
        w
        for w, _ in Counter(
            w.lower() for r in rows for w in _WORD.findall(r["description"])
        ).most_common(100)
    }
    with_text = [
        r for r in rows if any(w.lower() not in common for w in _WORD.findall(r["description"]))
    ]
    out = []
    for i in range(n):
        doc = rng.choice(with_text)
        ws = [w for w in _WORD.findall(doc["description"].lower()) if w not in common]
        text = " ".join(rng.sample(ws, min(len(ws), rng.randint(1, 3))))
        filters: dict[str, list[str]] = {}
        if i % 2:
            other = rng.choice(rows)
            options = [
                ("licence", other["licence"]),
                ("languages", (other["languages"] or [None])[0]),
                ("maturity", other["maturity"]),
                ("country", other["country"]),
            ]
            for name, value in rng.sample(options, rng.randint(1, 2)):
                if value:
                    filters[name] = [value]
        sort = "updated" if rng.random() < 0.38 else "relevance"
        out.append({"text": text, "filters": filters, "sort": sort})
    return out
