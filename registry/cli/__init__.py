"""The ``govcode`` command line: one module per noun, imports deferred inside commands."""
