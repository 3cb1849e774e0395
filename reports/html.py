"""The results as one self-contained HTML page: styles inline, charts as inline SVG, no
script and nothing fetched, so it opens, mails and prints as a single file."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from domain.stages import Stage
from reports import formatting as fmt
from reports.charts import funnel_chart, stars_chart
from reports.results import CycleResults


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=fmt.number,
        score=fmt.score,
        percent=fmt.percent,
        stars=fmt.stars,
        when=fmt.when,
        coaching=fmt.coaching,
    )
    return env


def render_html(results: CycleResults) -> str:
    """The results page."""
    charts = {
        "funnel": Markup(funnel_chart(results.funnel)),
        "provinces": Markup(stars_chart(results.by_province, results.star_levels, "provinsi")),
        "commodities": Markup(stars_chart(results.by_commodity, results.star_levels, "komoditas")),
    }
    template = _environment().get_template("results.html.j2")
    return template.render(r=results, charts=charts, Stage=Stage)
