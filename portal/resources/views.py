"""The resource center: global home (RC-1), country homes (RC-2), search and articles (RC-3)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from jinja2_fragments.flask import render_block

from portal.extensions import db
from portal.i18n import current_language
from portal.resources import services
from portal.resources.forms import CountryForm, ResourceSearchForm
from portal.search.fragments import fragments
from portal.templating import is_htmx, render_page

bp = Blueprint("resources", __name__, url_prefix="/resources", template_folder="templates")


def _country_form(selected: str | None, listed: list | None = None) -> CountryForm:
    """The country pull-down; ``listed``: the countries, when the caller has them already."""
    from portal.i18n import localized

    form = CountryForm(data={"country": (selected or "").lower()})
    form.country.choices = [("", "—")] if not selected else []
    form.country.choices += [(c.code.lower(), localized(c, "name"))
                             for c in (listed or services.countries(db.session))]
    return form


def _search_form(params: services.SearchParams) -> ResourceSearchForm:
    form = ResourceSearchForm(data={"q": params.q, "category": params.category or "",
                                    "country": params.country or ""})
    form.category.choices = [("", "—")] + list(services.category_labels().items())
    return form


def _common() -> dict:
    return {"categories": services.category_labels(), "kind_label": services.kind_label,
            "duration_text": services.duration_text, "duration_iso": services.duration_iso}


@bp.get("/")
def home():
    chosen = services.country(db.session, request.args.get("country"))
    if chosen is not None:  # the country pull-down without JavaScript
        return redirect(url_for("resources.country", country=chosen.code.lower()), 303)
    return render_page("resources/home.html", country_form=_country_form(None),
                       countries=services.countries(db.session), **_common())


@bp.get("/<country>/")
def country(country: str):
    found = services.country(db.session, country)
    if found is None:
        abort(404)
    if country != found.code.lower():
        return redirect(url_for("resources.country", country=found.code.lower()), 301)
    listed = services.articles(db.session, found.code)
    params = services.SearchParams(country=found.code)
    counts: dict[str, int] = {}
    for article in listed:
        counts[article.category] = counts.get(article.category, 0) + 1
    return render_page(
        "resources/country.html", country=found, country_form=_country_form(found.code),
        form=_search_form(params), params=params, counts=counts,
        videos=[a for a in listed if a.kind == "video"],
        guides=[a for a in listed if a.kind == "guide"],
        blurbs=services.category_blurbs(), **_common(),
    )


@bp.get("/search")
def search():
    listed = services.countries(db.session)
    params = services.SearchParams.parse(request.args, {c.code for c in listed})
    language = current_language()
    per_page = current_app.config["SEARCH_PAGE_SIZE"]
    cache_size = current_app.config["SEARCH_CACHE_SIZE"]

    def results():
        page = services.search(db.session, params, language, per_page, cache_size)
        html = render_template("resources/_results.html", page=page, params=params,
                               **_common())
        return html, page.result

    def kept_results():
        return fragments.get(db.session, ("resources", language, params, per_page),
                             cache_size, results)

    # What is the same for everybody asking this search is rendered once per worker and
    # kept (see portal.search.fragments): the results for htmx swaps, the page's content
    # (form, country pull-down and results) for whole pages, and for signed-out readers the
    # whole page (the nonce and CSRF token put in each time).
    if is_htmx():
        html, _result = kept_results()
        body = render_block("resources/search.html", "results", results_html=html)
    else:
        country_form = _country_form(params.country, listed)

        def content():
            form = _search_form(params)
            form.validate()
            html, result = kept_results()
            return render_block(
                "resources/search.html", "content", form=form, params=params,
                results_html=html, country_form=country_form,
                country=next((c for c in listed if c.code == params.country), None)), result

        def whole_page():
            key = ("resources page", language, params, per_page,
                   tuple(country_form.country.choices))
            html, _result = fragments.get(db.session, key, cache_size, content)
            return render_template("resources/search.html", content_html=html)

        # The country list is part of the page: in the key.
        body = fragments.page(
            db.session, ("resources", language, per_page, tuple(country_form.country.choices)),
            cache_size, whole_page)
    response = make_response(body, 200)
    response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
    return response


@bp.get("/<country>/articles/<slug>")
def article(country: str, slug: str):
    found = services.country(db.session, country)
    if found is None:
        abort(404)
    item = services.article(db.session, found.code, slug)
    if item is None:
        abort(404)
    if country != found.code.lower():
        return redirect(url_for("resources.article", country=found.code.lower(), slug=slug), 301)
    related = [a for a in services.articles(db.session, found.code)
               if a.category == item.category and a.slug != item.slug]
    video_base = current_app.config["RESOURCE_VIDEO_URL"]
    video_url = f"{video_base}{item.video_file}" if video_base and item.video_file else None
    return render_page(
        "resources/article.html", country=found, article=item, related=related[:5],
        country_form=_country_form(found.code), video_url=video_url,
        language=current_language(), **_common(),
    )
