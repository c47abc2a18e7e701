"""GNU versions ("only" or "or any later version") read from the files themselves, in
realistic repositories built with GitPython, and mixed-licence files as AND expressions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.git.libgit2 import Pygit2Tree
from localforge.repos import make_repo
from registry.analysis.licence import analyse_licence
from registry.analysis.licence_notices import find_notice
from registry.analysis.licence_text import examine_text
from registry.analysis.tree import MemoryTree

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
SPDX_DETAILS = DATA / "spdx" / "json" / "details"
REAL = DATA / "licences-real"


def spdx_text(spdx_id: str) -> str:
    path = SPDX_DETAILS / f"{spdx_id}.json"
    if not path.exists():
        pytest.skip(f"shared test data not present: {path}")
    return json.loads(path.read_text())["licenseText"]


def real(name: str) -> str:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"shared test data not present: {path}")
    return path.read_text()


GPL3_LATER = """\
# Permit tracker - keeps track of building permits.
# Copyright (C) 2021  City of Example
#
# This program is free software: you can redistribute it and/or modify
# it under the terms of the GNU General Public License as published by
# the Free Software Foundation, either version 3 of the License, or
# (at your option) any later version.
#
# This program is distributed in the hope that it will be useful,
# but WITHOUT ANY WARRANTY; without even the implied warranty of
# MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
# GNU General Public License for more details.
"""
GPL3_ONLY = """\
/*
 * Copyright (C) 2021  Agenzia Example
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 3 only, as
 * published by the Free Software Foundation.
 */
"""
# Notices in the FSF's translations and as agencies write them.
TRANSLATED = {
    "it": (
        "Questo programma è software libero: puoi ridistribuirlo e/o modificarlo secondo i "
        "termini della GNU Affero General Public License come pubblicata dalla Free Software "
        "Foundation, o la versione 3 della Licenza, o (a tua scelta) qualsiasi versione "
        "successiva.",
        "AGPL-3.0-or-later",
    ),
    "fr": (
        "Ce programme est un logiciel libre : vous pouvez le redistribuer et/ou le modifier "
        "selon les termes de la Licence Publique Générale GNU Affero telle que publiée par la "
        "Free Software Foundation, soit la version 3 de la Licence, soit (à votre choix) toute "
        "version ultérieure.",
        "AGPL-3.0-or-later",
    ),
    "de": (
        "Dieses Programm ist Freie Software: Sie können es unter den Bedingungen der GNU "
        "General Public License, wie von der Free Software Foundation, Version 3 der Lizenz "
        "oder (nach Ihrer Wahl) jeder neueren veröffentlichten Version, weiter verteilen "
        "und/oder modifizieren.",
        "GPL-3.0-or-later",
    ),
    "es": (
        "Este programa es software libre: usted puede redistribuirlo y/o modificarlo bajo los "
        "términos de la Licencia Pública General GNU publicada por la Fundación para el "
        "Software Libre, ya sea la versión 3 de la Licencia, o (a su elección) cualquier "
        "versión posterior.",
        "GPL-3.0-or-later",
    ),
    "nl": (
        "Dit programma is vrije software: je mag het herdistribueren en/of wijzigen onder de "
        "voorwaarden van de GNU Algemene Publieke Licentie zoals gepubliceerd door de Free "
        "Software Foundation, onder versie 3 van de Licentie of (naar jouw keuze) elke "
        "latere versie.",
        "GPL-3.0-or-later",
    ),
    "pt": (
        "Este programa é um software livre; você pode redistribuí-lo e/ou modificá-lo dentro "
        "dos termos da Licença Pública Geral Menor GNU como publicada pela Fundação do "
        "Software Livre; na versão 2.1 da Licença, ou (a seu critério) qualquer versão "
        "posterior.",
        "LGPL-2.1-or-later",
    ),
    "it-only": (
        "Questo programma è software libero; potete redistribuirlo e/o modificarlo secondo i "
        "termini della Licenza Pubblica Generica GNU versione 2 come pubblicata dalla Free "
        "Software Foundation.",
        "GPL-2.0-only",
    ),
    "en-lgpl": (
        "This library is free software; you can redistribute it and/or modify it under the "
        "terms of the GNU Lesser General Public License as published by the Free Software "
        "Foundation; either version 2.1 of the License, or (at your option) any later version.",
        "LGPL-2.1-or-later",
    ),
    "en-kernel": (
        "This program is free software; you can redistribute it and/or modify it under the "
        "terms of the GNU General Public License version 2 as published by the Free Software "
        "Foundation.",
        "GPL-2.0-only",
    ),
    "compact-plus": ("License: GPLv3+", "GPL-3.0-or-later"),
    "compact-later": ("Licensed under the LGPLv2.1 or later.", "LGPL-2.1-or-later"),
    "compact-only": ("Released under the AGPLv3 only.", "AGPL-3.0-only"),
}


@pytest.mark.parametrize(("text", "spdx"), TRANSLATED.values(), ids=list(TRANSLATED))
def test_gnu_notices_in_english_and_translations(text: str, spdx: str) -> None:
    wrapped = "\n".join(f" * {line}" for line in text.split(", "))  # a comment, reflowed
    notice = find_notice(wrapped)
    assert notice is not None and notice.spdx == spdx


def test_licence_texts_are_not_notices() -> None:
    """The GNU texts' own sentences and the MPL's list of secondary licences name versions
    and "any later version" without being anyone's notice."""
    for spdx_id in ("GPL-2.0-only", "GPL-3.0-only", "LGPL-3.0-only", "AGPL-3.0-only"):
        result = examine_text(spdx_text(spdx_id))
        assert result.notice is None and result.open_version, spdx_id
    assert find_notice(spdx_text("MPL-2.0")) is None


def gpl_project(tmp_path: Path, header: str, declared: str, files: int = 12) -> Path:
    """A GPL project as agencies publish them: the GPL text, a notice atop each source."""
    tree = {
        "COPYING": spdx_text("GPL-3.0-only"),
        "publiccode.yml": f"publiccodeYmlVersion: '0.4'\nlegal:\n  license: {declared}\n",
        "README.md": "# Permit tracker\n",
    }
    for i in range(files):
        tree[f"permits/module_{i}.py"] = header + f"\n\ndef rule_{i}():\n    return {i}\n"
    return Path(make_repo(tmp_path / "permits", tree).git_dir)


def read_licence(git_dir: Path, declared: list[tuple[str, str]]):
    with Pygit2Tree(git_dir, "HEAD", max_blob_bytes=1_000_000, max_files=1000) as tree:
        return analyse_licence(tree, declared=declared)


def test_or_later_files_beat_an_only_declaration(tmp_path: Path) -> None:
    git_dir = gpl_project(tmp_path, GPL3_LATER, "GPL-3.0-only")
    finding = read_licence(git_dir, [("publiccode.yml", "GPL-3.0-only"), ("forge", "GPL-3.0")])
    assert finding.expression == "GPL-3.0-or-later"
    [mismatch] = finding.mismatches  # the forge reads the same text: never a mismatch
    assert mismatch.startswith("publiccode.yml says GPL-3.0-only but the files say")
    assert "12 of 12" in mismatch and "any later version" in mismatch
    assert "Concluded GPL-3.0-or-later from the files" in mismatch
    notice = next(e for e in finding.evidence if e.source == "gnu-notice")
    assert notice.spdx == "GPL-3.0-or-later" and "12 of 13 files" in notice.detail  # + .yml


def test_only_files_beat_an_or_later_declaration(tmp_path: Path) -> None:
    git_dir = gpl_project(tmp_path, GPL3_ONLY, "GPL-3.0-or-later")
    finding = read_licence(git_dir, [("publiccode.yml", "GPL-3.0-or-later")])
    assert finding.expression == "GPL-3.0-only"
    [mismatch] = finding.mismatches
    assert mismatch.startswith("publiccode.yml says GPL-3.0-or-later but the files say")
    assert "Concluded GPL-3.0-only from the files" in mismatch


def test_a_deprecated_id_is_named_in_the_mismatch(tmp_path: Path) -> None:
    git_dir = gpl_project(tmp_path, GPL3_LATER, "GPL-3.0")
    finding = read_licence(git_dir, [("package.json", "GPL-3.0")])
    assert finding.expression == "GPL-3.0-or-later"
    assert finding.mismatches[0].startswith(
        "package.json says GPL-3.0 (a deprecated SPDX id, read as GPL-3.0-only) but the files"
    )


def test_agreeing_files_and_declaration_are_no_mismatch(tmp_path: Path) -> None:
    git_dir = gpl_project(tmp_path, GPL3_LATER, "GPL-3.0-or-later")
    finding = read_licence(git_dir, [("publiccode.yml", "GPL-3.0-or-later")])
    assert (finding.expression, finding.mismatches) == ("GPL-3.0-or-later", ())


def test_the_licence_preamble_decides_without_any_source_header() -> None:
    preamble = (
        "Servizio segnalazioni - Comune di Esempio\n\n"
        + TRANSLATED["it"][0]
        + "\n\nQuesto programma è distribuito nella speranza che sia utile, ma SENZA ALCUNA "
        "GARANZIA.\n\n"
    )
    tree = MemoryTree({"LICENSE": preamble + spdx_text("AGPL-3.0-only"), "src/app.js": "x()\n"})
    finding = analyse_licence(tree, declared=[("publiccode.yml", "AGPL-3.0-only")])
    assert finding.expression == "AGPL-3.0-or-later"
    assert "the GNU notice in LICENSE" in finding.mismatches[0]
    # the full text alone, as before: the declaration settles what the text cannot
    bare = analyse_licence(MemoryTree({"LICENSE": spdx_text("AGPL-3.0-only")}),
                           declared=[("publiccode.yml", "AGPL-3.0-or-later")])  # fmt: skip
    assert (bare.expression, bare.mismatches) == ("AGPL-3.0-or-later", ())


def test_real_gnu_licence_files_keep_their_version_open() -> None:
    """The real GNU files in licences-real carry only the text (and its "How to apply"
    template), so nothing in them is read as the project's own notice."""
    for name in (
        "AgID__pat__LICENSE",
        "ARPA-SIMC__dballe__LICENSE",
        "localgovdrupal__localgov__LICENSE",
    ):
        result = examine_text(real(name))
        assert result.notice is None and result.open_version, name


MIT_UPSTREAM = "MIT"


def federal_fork_licence() -> str:
    mit = spdx_text("MIT").replace("<year>", "2016")
    mit = mit.replace("<copyright holders>", "Crown Copyright (Government Digital Service)")
    return (
        "# Licence\n\n## Upstream code\n\nThis project is a fork of openregister by the "
        "Government Digital Service. The code up to and including commit 1a2b3c4d is "
        "licensed under the MIT License:\n\n" + mit + "\n\n## Changes made by the agency\n\n"
        "Changes made after commit 1a2b3c4d are a work of the United States Government and "
        "are in the public domain within the United States. Additionally, we waive copyright "
        "and related rights in the work worldwide through the CC0 1.0 Universal public domain "
        "dedication.\n\n" + spdx_text("CC0-1.0")
    )


def test_a_federal_fork_is_cc0_and_the_upstreams_mit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "registers", {
        "LICENSE.md": federal_fork_licence(), "src/app.js": "export const a = 1;\n",
    })  # fmt: skip
    finding = read_licence(Path(repo.git_dir), [])
    assert finding.expression == "CC0-1.0 AND MIT"
    assert "whole MIT text" in finding.evidence[0].detail


def test_whole_texts_for_parts_are_all_licences_of_the_file() -> None:
    mit = spdx_text("MIT")
    text = "Code up to v1.0:\n\n" + mit + "\n\nChanges after v1.0:\n\n" + spdx_text("GPL-3.0-only")
    assert analyse_licence(MemoryTree({"LICENSE": text})).expression == "MIT AND GPL-3.0-only"
    # uswds names Apache-2.0 and OFL-1.1 parts without their texts: not a complete AND
    assert examine_text(real("uswds__uswds__LICENSE.md")).expression == "CC0-1.0"
