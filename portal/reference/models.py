"""Reference data loaded from ``catalog_data/``: countries, functions, roles, lists."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base


class Country(Base):
    __tablename__ = "country"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(5))
    cg_prefix: Mapped[str] = mapped_column(String(10))
    cg_length: Mapped[int] = mapped_column(Integer)
    access_changes: Mapped[bool] = mapped_column(Boolean, default=False)
    oca_approver_documents: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    functions: Mapped[list[Function]] = relationship(
        secondary="country_function", order_by="Function.position", viewonly=True
    )

    @property
    def cg_rest_length(self) -> int:
        """Digits a person types after the fixed prefix."""
        return self.cg_length - len(self.cg_prefix)


class Function(Base):
    __tablename__ = "function"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_ja: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    default_holders: Mapped[str] = mapped_column(String(50), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    roles: Mapped[list[FunctionRole]] = relationship(
        back_populates="function", order_by="FunctionRole.position"
    )

    @property
    def approval_roles(self) -> list[FunctionRole]:
        return [role for role in self.roles if role.approval and role.active]

    @property
    def asks_for_role(self) -> bool:
        return bool(self.approval_roles)

    @property
    def holders(self) -> list[str]:
        return [h for h in self.default_holders.split(",") if h]


class FunctionRole(Base):
    __tablename__ = "function_role"
    __table_args__ = (UniqueConstraint("function_code", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    function_code: Mapped[str] = mapped_column(ForeignKey("function.code", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(30))
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    approval: Mapped[bool] = mapped_column(Boolean, default=False)
    default_holders: Mapped[str] = mapped_column(String(50), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    function: Mapped[Function] = relationship(back_populates="roles")

    @property
    def holders(self) -> list[str]:
        return [h for h in self.default_holders.split(",") if h]


class CountryFunction(Base):
    __tablename__ = "country_function"

    country_code: Mapped[str] = mapped_column(
        ForeignKey("country.code", ondelete="CASCADE"), primary_key=True
    )
    function_code: Mapped[str] = mapped_column(
        ForeignKey("function.code", ondelete="CASCADE"), primary_key=True
    )


class SecretQuestion(Base):
    __tablename__ = "secret_question"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    text_ja: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DeletionReason(Base):
    __tablename__ = "deletion_reason"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    text_ja: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
