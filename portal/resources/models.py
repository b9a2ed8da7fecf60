"""Resource center articles loaded from ``catalog_data/resources.yaml``."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


class Article(Base):
    __tablename__ = "resource_article"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # guide | video
    category: Mapped[str] = mapped_column(String(20))
    # Country codes separated by commas, e.g. ",JP,"; empty: every country.
    countries: Mapped[str] = mapped_column(String(200), default="")
    title_ja: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    summary_ja: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    # Paragraphs separated by a blank line.
    body_ja: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    transcript_ja: Mapped[str] = mapped_column(Text, default="")
    transcript_en: Mapped[str] = mapped_column(Text, default="")
    duration_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    video_file: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def listed_in(self, country: str) -> bool:
        return not self.countries or f",{country.upper()}," in self.countries

    def paragraphs(self, field: str, language: str) -> list[str]:
        text = getattr(self, f"{field}_{language}") or ""
        return [p for p in text.split("\n\n") if p.strip()]
