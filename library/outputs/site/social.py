"""What a link to a page shows on a social network: OpenGraph and Twitter card tags, with the paper's card image.

og:url and og:image must be absolute, so they come only with site_url; the other tags always.
A page shows its own paper's card (the series' on the pages every language has), in its language
when the paper is published in it, else in the original's (the cards stage draws published ones).
"""
from __future__ import annotations

import datetime as dt

from library.core.config import Config
from library.core.paths import SiteMap, site_address
from library.model.publication import Alternates

__all__ = ["social_tags", "og_locale"]

_PREFERRED = {"en": "en_GB"}  # the papers' English is British, as UN texts are


def og_locale(language: str) -> str:
    """A language as OpenGraph names locales: fr_FR, es_ES, en_GB (its likeliest region, from Babel)."""
    from babel import Locale
    from babel.core import get_global

    locale = Locale.parse(language)
    if locale.territory:
        return f"{locale.language}_{locale.territory}"
    likely = get_global("likely_subtags").get(locale.language, "").split("_")
    return _PREFERRED.get(language) or (f"{locale.language}_{likely[-1]}" if len(likely) > 1 else language)


def social_tags(config: Config, *, path: str, language: str, title: str, description: str, site_name: str,
                card: tuple[str, str], kind: str = "website", alternates: Alternates | None = None,
                published: dt.date | None = None) -> tuple[tuple[str, str], ...]:
    """(attribute value, content) pairs: og:* and article:* go in property=, twitter:* in name=.

    card is (language, slug) of the card image to show.
    """
    tags = [("og:type", kind), ("og:title", title), ("og:description", description), ("og:site_name", site_name),
            ("og:locale", og_locale(language))]
    tags += [("og:locale:alternate", og_locale(code)) for code in (alternates.languages if alternates else ())
             if code != language]
    url, image = site_address(config, path), site_address(config, SiteMap.card(*card))
    if url:
        tags.append(("og:url", url))
    if image:
        tags += [("og:image", image), ("og:image:type", "image/png"), ("og:image:width", "1200"),
                 ("og:image:height", "630"), ("og:image:alt", title)]
    if published:
        tags.append(("article:published_time", published.isoformat()))
    tags.append(("twitter:card", "summary_large_image" if image else "summary"))
    return tuple(tags)
