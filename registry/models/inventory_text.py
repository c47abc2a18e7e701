"""What an inventory says of a repository in words: Canada's Open Resource Exchange gives
each release a name and a description in English and in French."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.models._types import created, json_dict


class InventoryText(SQLModel, table=True):
    """One inventory's names and descriptions of one repository, by language tag.

    Keyed by the repository's ``url_key`` (``records.normalise_url``), not by its id: an
    inventory imported before the repository is crawled is found by the crawl, and one
    imported after finds the repository already there."""

    __tablename__ = "inventorytext"
    __table_args__ = (UniqueConstraint("inventory", "url_key", name="uq_inventory_text"),)

    id: int | None = Field(default=None, primary_key=True)
    inventory: str = Field(max_length=20)  # an ``inventory_texts.INVENTORIES`` name: "ore"
    url_key: str = Field(max_length=500, index=True)
    names: dict[str, str] = json_dict()
    descriptions: dict[str, str] = json_dict()
    first_seen_at: datetime = created()
    updated_at: datetime = created()  # when the texts last changed
