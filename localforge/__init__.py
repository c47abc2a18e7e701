"""A local stand-in for GitHub and GitLab: their REST API subset govcode uses (ETags,
pagination, rate-limit headers, App auth) and git's smart HTTP, over real repositories.

It ships with the package so that ``govcode demo`` runs from an installed wheel, and the
tests use the same servers. It listens on loopback only.
"""
