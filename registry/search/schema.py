"""The Whoosh schema of a repository document."""

from __future__ import annotations

from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema


def repository_schema() -> Schema:
    text = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        name=TEXT(analyzer=text, field_boost=3.0),
        full_name=TEXT(analyzer=text, stored=True),
        description=TEXT(analyzer=text, stored=True, field_boost=2.0),
        topics=KEYWORD(commas=True, lowercase=True, scorable=True, field_boost=2.0),
        readme=TEXT(analyzer=text),
        licence=ID(stored=True),
        languages=KEYWORD(commas=True, stored=True),
        maturity=ID(stored=True),
        agency=ID(stored=True),
        country=ID(stored=True),
        stars=NUMERIC(sortable=True),
        updated=DATETIME(sortable=True),
    )


def to_fields(doc: dict) -> dict:
    """A services.index_feed document as Whoosh field values."""
    return {
        "id": str(doc["id"]),
        "name": doc["name"].replace("-", " ").replace("_", " ") + " " + doc["name"],
        "full_name": doc["full_name"],
        "description": doc["description"] or "",
        "topics": ",".join(doc["topics"]),
        "readme": doc["readme"] or "",
        "licence": doc["licence"] or "none",
        "languages": ",".join(doc["languages"]),
        "maturity": doc["maturity"],
        "agency": doc["agency"],
        "country": doc["country"] or "",
        "stars": int(doc["stars"] or 0),
        **({"updated": doc["updated"].replace(tzinfo=None)} if doc.get("updated") else {}),
    }
