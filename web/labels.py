"""Words for the closed sets of values pages show (maturity levels, licence classes, reuse
kinds, sorts…), marked for translation. Open values (licence ids, language names, topics)
are shown as they are."""

from __future__ import annotations

from web.i18n import N_, gettext

LABELS: dict[str, dict[str, str]] = {
    "maturity": {
        "stable": N_("stable"),
        "beta": N_("beta"),
        "development": N_("development"),
        "concept": N_("concept"),
        "obsolete": N_("obsolete"),
    },
    "status": {"archived": N_("archived"), "obsolete": N_("obsolete")},
    "sort": {"relevance": N_("relevance"), "stars": N_("stars"), "updated": N_("updated")},
    "licence_class": {
        "proprietary": N_("proprietary"),
        "network-copyleft": N_("network copyleft"),
        "strong-copyleft": N_("strong copyleft"),
        "weak-copyleft": N_("weak copyleft"),
        "public-domain": N_("public domain"),
        "permissive": N_("permissive"),
        "unknown": N_("unknown"),
    },
    "yes_no": {"yes": N_("yes"), "no": N_("no")},
    "reuse_kind": {
        "fork": N_("fork"),
        "based_on": N_("based on"),
        "dependency": N_("dependency"),
        "shared_history": N_("shared history"),
        "copied": N_("copied"),
        "copied_files": N_("copied files"),
    },
    "crawl_status": {
        "running": N_("running"),
        "finished": N_("finished"),
        "failed": N_("failed"),
        "interrupted": N_("interrupted"),
        "rate-limited": N_("rate-limited"),
    },
    "severity": {"error": N_("error"), "warning": N_("warning"), "info": N_("info")},
}

FACET_LABELS = {  # translated where shown
    "licence": N_("Licence"),
    "languages": N_("Language"),
    "maturity": N_("Maturity"),
    "agency": N_("Agency"),
    "country": N_("Country"),
    "topics": N_("Topic"),
    "licence_class": N_("Licence class"),
    "forge": N_("Forge"),
    "archived": N_("Archived or obsolete"),
    "fork": N_("Is a fork"),
    "reused": N_("Is reused"),
}
VALUE_LABELS = {  # facets whose values are a closed set (web.labels)
    "maturity": "maturity",
    "licence_class": "licence_class",
    "archived": "yes_no",
    "fork": "yes_no",
    "reused": "yes_no",
}


def label(value: object, kind: str) -> str:
    """The words for ``value`` of the set ``kind`` in the page's language; an unknown value
    as it is (with underscores and hyphens read as spaces)."""
    text = "" if value is None else str(value)
    known = LABELS.get(kind, {}).get(text)
    return gettext(known) if known else text.replace("_", " ")


# The labels the domain's tables hold (registry.access ROLES and SCOPES, registry.identifiers
# SCHEMES and LEVELS, registry.source_kinds KINDS, registry.notify.channels CHANNELS' titles
# and form choices), here so the catalogue has them; pages
# show them through _(). tests/web/test_i18n.py checks this list against the tables.
TABLE_LABELS = (
    N_("Agency administrator"),
    N_("Agency maintainer"),
    N_("read what only you may see (your account, your tokens)"),
    N_("register agencies and sources"),
    N_("create and change your subscriptions"),
    N_("manage an agency's people and read its audit log"),
    N_("fork repositories through govcode and declare that your agency uses one"),
    N_("iPA code (Italy)"),
    N_("TOOI URI (Netherlands)"),
    N_("ORE administration code (Canada)"),
    N_("US agency acronym"),
    N_("SIREN (France)"),
    N_("National"),
    N_("Regional"),
    N_("Municipal"),
    N_("Other public body"),
    N_("GitHub organisation"),
    N_("GitLab group"),
    N_("git repository"),
    N_("list of git URLs"),
    N_("code.json inventory"),
    N_("e-mail"),
    N_("signed webhook"),
    N_("Atom feed"),
    N_("By e-mail"),
    N_("By signed webhook (the secret is shown once)"),
    N_("By a private Atom feed"),
)
