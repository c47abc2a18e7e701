"""What makes a catalogue complete, shared by tests/test_i18n.py and ``scripts/i18n check``:
every string extracted from the code (babel.cfg) is in it, translated, and not fuzzy."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


def extracted(root: Path = ROOT) -> set[tuple[str | None, str]]:
    """(context, msgid) of every interface string in the files babel.cfg names."""
    with (root / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)

    def skip_venv(path: str) -> bool:  # .venv, .git, var/, build/ hold no interface text
        relative = Path(path).resolve().relative_to(root.resolve()).parts
        return not any(part.startswith(".") or part in ("var", "build") for part in relative)

    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(root), method_map, options_map, directory_filter=skip_venv
    ):
        msgid = message[0] if isinstance(message, tuple | list) else message
        found.add((context, msgid))
    return found


def problems(po: Path, pot: Path | None = None, root: Path = ROOT) -> list[str]:
    """Each missing, untranslated or fuzzy entry of the catalogue ``po``, in words."""
    with po.open("rb") as fh:
        catalogue = read_po(fh)
    out = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if message.fuzzy:
            out.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            out.append(f"untranslated: {message.id!r}")
    if pot is not None:
        with pot.open("rb") as fh:
            wanted = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id)
                      for m in read_po(fh) if m.id}  # fmt: skip
    else:
        wanted = extracted(root)
    have = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalogue if m.id}
    out.extend(f"missing: {msgid!r}" for _, msgid in sorted(wanted - have, key=str))
    return out
