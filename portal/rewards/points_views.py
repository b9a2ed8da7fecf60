"""The company's points for its Program Administrator and designated third parties (CMR-1):
the points history (with CSV) and the dashboard; the balance panel of ``/rewards/`` comes
from :func:`program_panel`. Also the rewards commands: ``import-statement`` and
``rewards-daily``."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import click
from flask import Blueprint, Response, current_app, g, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from portal.accounts.current import login_required
from portal.errors import render_error
from portal.extensions import db
from portal.forms import choices
from portal.i18n import current_language
from portal.rewards import points, programs
from portal.rewards.forms import HistoryFilterForm
from portal.rewards.program import ENTRY_KINDS
from portal.templating import render_page
from portal.workdays import JAPAN

bp = Blueprint("points", __name__, url_prefix="/rewards/points", template_folder="templates",
               cli_group=None)


def today() -> date:
    return datetime.now(JAPAN).date()


def program_panel() -> dict | None:
    """The balance panel of the rewards home for a PA or third party; None for others."""
    user = g.get("user")
    access = points.access_for(db.session, user.id if user else None)
    if access is None:
        return None
    day = today()
    return {"access": access, "summary": points.summary(db.session, access.account, day),
            "redeemable": programs.can_redeem(access.account, day),
            "until": programs.redeem_until(access.account)}


def _access_or_refusal():
    access = points.access_for(db.session, g.user.id)
    if access is None:
        return None, render_error(
            403, _("Only the company's rewards administrators can see its points"),
            _("The points balance and history are shown to the Program Administrator and the "
              "people they designated. If you need access, please ask your Program "
              "Administrator."))
    return access, None


def _filters(access) -> tuple[HistoryFilterForm, points.HistoryFilter]:
    form = HistoryFilterForm(request.args)
    cards = access.account.cards
    form.card.choices = choices(((str(c.id), f"{c.holder_name} ({c.last5})") for c in cards),
                                placeholder=_("All cards"))
    form.kind.choices = choices(((k, points.kind_label(k)) for k in ENTRY_KINDS),
                                placeholder=_("All kinds"))
    form.validate()
    card_ids = {str(c.id): c.id for c in cards}
    wanted = points.HistoryFilter(
        card_id=card_ids.get(form.card.data or ""),
        kind=form.kind.data if form.kind.data in ENTRY_KINDS else None,
        start=None if form.start.errors else form.start.data,
        end=None if form.end.errors else form.end.data,
    )
    return form, wanted


@bp.get("/history")
@login_required
def history():
    access, refusal = _access_or_refusal()
    if refusal:
        return refusal
    form, wanted = _filters(access)
    page = request.args.get("page", 1, type=int) or 1
    result = points.history(db.session, access.account, wanted, page,
                            current_app.config["REWARDS_PAGE_SIZE"])
    status = 422 if form.errors else 200
    return render_page("rewards/points_history.html", "history_results", status=status,
                       form=form, result=result, access=access, entry_label=points.entry_label,
                       kind_label=points.kind_label, language=current_language(),
                       item_text=item_text,
                       query={k: v for k, v in request.args.items() if k != "page"})


def item_text(row: points.HistoryRow, language: str) -> str:
    """An order's item in ``language`` with its quantity ("" for other entries)."""
    if row.item is None:
        return ""
    name = row.item[0] if language == "ja" else row.item[1]
    return _("%(item)s × %(quantity)s", item=name, quantity=row.item[2])


CSV_COLUMNS = ("date", "kind", "points", "reason", "card", "cardmember", "merchant",
               "amount_yen", "reference")


@bp.get("/history.csv")
@login_required
def history_csv():
    access, refusal = _access_or_refusal()
    if refusal:
        return refusal
    _form, wanted = _filters(access)
    result = points.history(db.session, access.account, wanted, 1, None)
    language = current_language()
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 with a byte-order mark
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Date"), _("Kind"), _("Points"), _("Reason"), _("Card"),
                     _("Cardmember"), _("Merchant"), _("Amount (yen)"), _("Reference")])
    for row in result.rows:
        writer.writerow([row.booked_on.isoformat(), points.kind_label(row.kind), row.points,
                         points.entry_label(row.kind, row.reason, language),
                         row.card_last5 or "", row.holder or "",
                         row.merchant or item_text(row, language),
                         "" if row.amount is None else row.amount,
                         row.reference or row.redemption or ""])
    name = f"points-{today().isoformat()}.csv"
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/dashboard")
@login_required
def dashboard():
    access, refusal = _access_or_refusal()
    if refusal:
        return refusal
    day, language = today(), current_language()

    def body() -> Markup:
        data = points.dashboard(db.session, access.account, day)
        months = [format_date(m, "yyyy/M") if language == "ja" else format_date(m, "MMM yyyy")
                  for m in data.months]
        return Markup(render_template(
            "rewards/_dashboard_body.html", data=data, months=months,
            month_chart=points.bars(data.by_month),
            card_chart=points.bars([p for _l5, _h, p in data.cards[:12]])))

    # The figures are the same for everyone who may see them: rendered once per worker for
    # each version of the ledger, month and language.
    html = points.kept(("dashboard-html", *points.version(access.account),
                        points.month_start(day), language), body)
    return render_page("rewards/points_dashboard.html", access=access, body=html)


@bp.cli.command("import-statement")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_statement_command(path: str):
    """Import a statement CSV of card transactions (columns in the README)."""
    from portal.db import immediate
    from portal.rewards.statements import StatementError, import_statement

    name = path.rsplit("/", 1)[-1]
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle, immediate(db.session):
            result = import_statement(db.session, handle, name, current_app.secret_key,
                                      current_app.config["CORPORATE_TAX_YEN_PER_POINT"])
            db.session.commit()
    except StatementError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.name}, line {error.line}: {error.reason} "
                                   "(nothing was imported)") from error
    except UnicodeDecodeError as error:
        db.session.rollback()
        raise click.ClickException(f"{name}: not UTF-8 text (nothing was imported)") from error
    click.echo(f"{name}: {result.imported} transactions imported, {result.skipped} already "
               f"there, {result.points} points")


@bp.cli.command("rewards-daily")
@click.option("--date", "on", help="The day to run for (YYYY-MM-DD); default today in Japan.")
def rewards_daily_command(on: str | None):
    """Anniversary fees, closures and lapses due by a day (running twice changes nothing)."""
    from portal.db import immediate

    try:
        day = date.fromisoformat(on) if on else today()
    except ValueError as error:
        raise click.ClickException("--date must be written YYYY-MM-DD") from error
    with immediate(db.session):
        done = programs.daily(db.session, day)
        db.session.commit()
    click.echo(f"{day.isoformat()}: {done['fees']} fees charged, {done['closed']} programs "
               f"closed, {done['lapsed']} balances lapsed")
