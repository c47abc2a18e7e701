"""What a repository's licence asks of a reuser, as the API shows it."""

from __future__ import annotations

from sqlmodel import SQLModel


class DutyPublic(SQLModel):
    tag: str  # choosealicense's tag, e.g. "disclose-source"
    text: str  # in plain words
    detail: str  # choosealicense's own description


class LicenceOptionPublic(SQLModel):
    licences: list[str]
    permissions: list[DutyPublic]
    conditions: list[DutyPublic]  # what the reuser must do
    limitations: list[DutyPublic]
    undescribed: list[str]  # licences with no plain-words summary
    exceptions: list[str]


class LicenceDutiesPublic(SQLModel):
    expression: str | None
    options: list[LicenceOptionPublic]  # several: the reuser chooses one
    warning: str | None
    notes: list[str]
