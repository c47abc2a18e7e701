"""The git side of crawling: the clone cache, hardened git processes, and two readers
(libgit2 in-process; the git CLI as the fallback)."""
