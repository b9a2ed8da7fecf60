"""The application as a PDF (ENR-3.h): A4, in the current language, Japanese text in an
embedded font (Noto Sans CJK from the system, subset into the file by WeasyPrint)."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session

from portal.enrollment import summary
from portal.enrollment.engine import Kind
from portal.enrollment.models import Application


def render_html(session: Session, kind: Kind, application: Application, language: str) -> str:
    sections = summary.sections(session, kind.name, application.data, language,
                                documents=application.documents)
    with force_locale(language):
        return render_template("enrollment/pdf.html", kind=kind, application=application,
                               sections=sections, language=language)


def render(session: Session, kind: Kind, application: Application, language: str) -> bytes:
    from weasyprint import HTML

    html = render_html(session, kind, application, language)
    return HTML(string=html, base_url=current_app.root_path).write_pdf()
