"""The API's few HTML pages (the codec's sign-in, a certificate's verification), from
api/templates, escaped."""

from __future__ import annotations

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined

templates = Jinja2Templates(
    env=Environment(
        loader=PackageLoader("api", "templates"), autoescape=True, undefined=StrictUndefined
    )
)
