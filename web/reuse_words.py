"""The words of the reuse graph picture, in the page's language: one whole sentence per kind
and direction of reuse (what a pointer hovering over a node shows), the count of nodes not
drawn, and the picture's summary (its text equivalent's title).

Each sentence is one gettext message with named placeholders, so a translation may put the
other repository's name wherever its grammar wants it; counts go through ngettext.
"""

from __future__ import annotations

from babel.lists import format_list

from registry.models import ReuseEdgePublic
from web.i18n import N_, current, gettext, ngettext

KIND_LABELS = {  # the key under the picture, one word or two per kind
    "fork": N_("fork"),
    "based_on": N_("based on"),
    "dependency": N_("dependency"),
    "copied": N_("copied files"),
    "shared_history": N_("shared history"),
    "declared": N_("declared use"),
}
OTHER_LABEL = N_("reuse")

REUSED_AS = {  # the other end reuses this repository
    "fork": N_("%(name)s forked this repository."),
    "based_on": N_("%(name)s declares it is based on this repository."),
    "dependency": N_("%(name)s depends on a package this repository publishes."),
    "shared_history": N_("%(name)s carries over this repository’s git history."),
    "copied": N_("%(name)s contains files copied from this repository."),
    "declared": N_("%(name)s declares it reuses this repository."),
}
REUSED_OTHERWISE = N_("%(name)s reuses this repository.")
REUSES_AS = {  # this repository reuses the other end
    "fork": N_("This repository is a fork of %(name)s."),
    "based_on": N_("This repository is based on %(name)s."),
    "dependency": N_("This repository depends on a package published by %(name)s."),
    "shared_history": N_("This repository carries over the git history of %(name)s."),
    "copied": N_("This repository contains files copied from %(name)s."),
    "declared": N_("This repository declares it reuses %(name)s."),
}
REUSES_OTHERWISE = N_("This repository reuses %(name)s.")
UNKNOWN_AS = {  # linked, but which came first is not known
    "shared_history": N_(
        "%(name)s shares git history with this repository; which came first is not known."
    ),
    "copied": N_(
        "%(name)s and this repository contain the same files; which came first is not known."
    ),
}
UNKNOWN_OTHERWISE = N_("%(name)s is linked to this repository.")


def kind_label(kind: str) -> str:
    return gettext(KIND_LABELS.get(kind, OTHER_LABEL))


def edge_words(edge: ReuseEdgePublic) -> str:
    """One sentence for one edge, then its evidence: the node's hover text."""
    if edge.direction == "reuses":
        sentence = REUSES_AS.get(edge.kind, REUSES_OTHERWISE)
    elif edge.direction == "unknown":
        sentence = UNKNOWN_AS.get(edge.kind, UNKNOWN_OTHERWISE)
    else:
        sentence = REUSED_AS.get(edge.kind, REUSED_OTHERWISE)
    words = gettext(sentence) % {"name": edge.name}
    if not edge.evidence:
        return words
    return words + " " + gettext("Evidence: %(evidence)s") % {"evidence": edge.evidence}


def more_title(hidden: int) -> str:
    return ngettext("%(num)d more: see the list", "%(num)d more: see the list", hidden) % {
        "num": hidden
    }


def more_label(hidden: int) -> str:
    return ngettext("+%(num)d more (see the list)", "+%(num)d more (see the list)", hidden) % {
        "num": hidden
    }


def summary(name: str, reusers: int, reused: int, kinds: list[str]) -> str:
    """The picture's text equivalent: who reuses it, what it reuses, the kinds drawn."""
    sentences = [
        ngettext(
            "Reuse of %(name)s: %(num)d repository reuses it or shares code with it.",
            "Reuse of %(name)s: %(num)d repositories reuse it or share code with it.",
            reusers,
        )
        % {"name": name, "num": reusers},
        ngettext("It reuses %(num)d repository.", "It reuses %(num)d repositories.", reused)
        % {"num": reused},
        gettext("Kinds: %(kinds)s.")
        % {"kinds": format_list([kind_label(k) for k in kinds], locale=current())},
        gettext("The list with the picture says the same in words."),
    ]
    return " ".join(sentences)
