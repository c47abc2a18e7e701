"""Pure analysis functions: ``(tree or snapshot, *, now) -> finding``. No I/O but the tree."""
