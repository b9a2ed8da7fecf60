"""The rewards pages: the home, the catalog search (CMR-6.c) and one item."""

from __future__ import annotations

from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from jinja2_fragments.flask import render_block

from portal.extensions import db
from portal.i18n import current_language
from portal.rewards import points, services
from portal.rewards.forms import CatalogSearchForm
from portal.search.fragments import fragments
from portal.templating import is_htmx, render_page

bp = Blueprint("rewards", __name__, url_prefix="/rewards", template_folder="templates")


def _go(url: str):
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


@bp.get("/")
def home():
    counts = services.category_counts(db.session, current_language(),
                                      current_app.config["SEARCH_CACHE_SIZE"])
    from portal.rewards.points_views import program_panel

    return render_page("rewards/home.html", counts=counts, form=CatalogSearchForm(),
                       categories=services.category_labels(), program=program_panel(),
                       entry_label=points.entry_label, language=current_language())


@bp.get("/catalog")
def catalog():
    params = services.CatalogParams.parse(request.args)
    item = services.find_item(db.session, params.q)
    if item is not None:  # an exact item number opens the item
        return _go(url_for("rewards.item", item_no=item.item_no))
    language = current_language()
    per_page = current_app.config["SEARCH_PAGE_SIZE"]
    cache_size = current_app.config["SEARCH_CACHE_SIZE"]
    # "Within my balance", for the PA and designated third parties: the search module is
    # only given a points ceiling.
    user = g.get("user")
    access = points.access_for(db.session, user.id) if user is not None else None
    balance = access.account.balance if access is not None else None
    params = replace(params, ceiling=balance if params.within else None)

    def results():
        page = services.search(db.session, params, language, per_page, cache_size)
        categories = services.category_labels()
        html = render_template(
            "rewards/_results.html", page=page, params=params,
            rows=services.item_rows(page.items, language, categories),
            categories=categories, bands=services.band_labels(), fmt_number=services.number,
            catalog_url=url_for("rewards.catalog"),
            item_base=url_for("rewards.item", item_no="X").removesuffix("X"),
        )
        return html, page.result

    def kept_results():
        return fragments.get(db.session, ("catalog", language, params, per_page), cache_size,
                             results)

    def content():
        form = CatalogSearchForm(request.args)
        form.sort.choices = list(services.sort_labels().items())
        form.sort.data = params.sort
        form.validate()
        html, result = kept_results()
        return render_block(
            "rewards/catalog.html", "content", form=form, params=params,
            page=services.CatalogPage(params, result, []), results_html=html,
            fmt_number=services.number, balance=balance), result

    # What is the same for everybody asking this search is rendered once per worker and
    # kept (see portal.search.fragments): the results and htmx swaps, the page's content
    # (form, count and results; the form shows the query as typed) for whole pages, and
    # for signed-out readers the whole page (the nonce and CSRF token put in each time).
    if is_htmx():
        def swap():
            html, result = kept_results()
            return render_block(
                "rewards/catalog.html", "results", params=params, results_html=html,
                page=services.CatalogPage(params, result, []), fmt_number=services.number
            ), result

        body, _result = fragments.get(db.session, ("catalog swap", language, params, per_page),
                                      cache_size, swap)
    else:
        def whole_page():
            html, _result = fragments.get(
                db.session, ("catalog page", language, params, per_page, request.args.get("q"),
                             balance), cache_size, content)
            return render_template("rewards/catalog.html", content_html=html)

        body = fragments.page(db.session, ("catalog", language, per_page), cache_size,
                              whole_page)
    response = make_response(body, 200)
    response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
    return response


@bp.get("/items/<item_no>")
def item(item_no: str):
    found = services.find_item(db.session, item_no)
    if found is None:
        abort(404)
    if found.item_no != item_no:
        return redirect(url_for("rewards.item", item_no=found.item_no), 301)
    from portal.rewards.orders import is_donation

    user = g.get("user")
    return render_page("rewards/item.html", item=found, categories=services.category_labels(),
                       points_text=services.points_text, donation=is_donation(found),
                       access=points.access_for(db.session, user.id) if user else None)
