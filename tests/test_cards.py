"""Link previews: OpenGraph and Twitter tags on every page, and a card image per paper and published language."""
from __future__ import annotations

import dataclasses
import io

import extruct
import pytest
from pages import Page
from PIL import Image, ImageChops
from projects import copy_real_library, prefixed, translate_catalogs

from library.core.config import load_config
from library.core.paths import site_folder
from library.model.project import Project
from library.outputs.cards.card import HEIGHT, WIDTH, CardText, build_cards, draw_card
from library.outputs.site.html import build_html

# Each test builds a site and draws every card of it with Pillow.
pytestmark = pytest.mark.slow

SITE_URL = "https://example.org/migration-justice/"
BACKGROUND = (0xFB, 0xFA, 0xF6)


@pytest.fixture(scope="module")
def real_cards(tmp_path_factory):
    config = dataclasses.replace(load_config(copy_real_library(tmp_path_factory.mktemp("cards")) / "setup.cfg"),
                                 site_url=SITE_URL)
    project = Project(config)
    build_html(project)
    build_cards(project)
    return config, project


def _opengraph(config, path: str) -> dict[str, list[str]]:
    html = (site_folder(config) / path).read_text("utf-8")
    (found,) = extruct.extract(html, base_url=SITE_URL + path, syntaxes=["opengraph"], uniform=False)["opengraph"]
    tags: dict[str, list[str]] = {}
    for name, value in found["properties"]:
        tags.setdefault(name, []).append(value)
    return tags


def _twitter(config, path: str) -> dict[str, str]:
    return {m.get("name"): m.get("content") for m in Page(site_folder(config) / path).all("meta")
            if (m.get("name") or "").startswith("twitter:")}


def test_every_paper_page_has_its_card_in_its_language(real_cards):
    config, project = real_cards
    for paper in project.papers:
        for language in ("en", "fr", "es"):
            path = f"{language}/{paper.slug}.html"
            tags = _opengraph(config, path)
            title = project.translation(paper.slug, language).by_id()["title"].text
            assert tags["og:title"] == [title] and tags["og:url"] == [SITE_URL + path]
            assert tags["og:image"] == [SITE_URL + f"cards/{language}/{paper.slug}.png"]
            assert (tags["og:image:width"], tags["og:image:height"]) == (["1200"], ["630"])
            assert tags["og:locale"] == [{"en": "en_GB", "fr": "fr_FR", "es": "es_ES"}[language]]
            assert tags["og:type"] == ["website" if paper.slug == project.series_slug else "article"]
            assert _twitter(config, path) == {"twitter:card": "summary_large_image"}
            with Image.open(site_folder(config) / "cards" / language / f"{paper.slug}.png") as card:
                assert (card.format, card.size, card.mode) == ("PNG", (WIDTH, HEIGHT), "RGB")


def test_pages_of_every_language_show_the_series_card(real_cards):
    config, _ = real_cards
    for path in ("fr/index.html", "es/search.html", "index.html"):
        tags = _opengraph(config, path)
        language = path.split("/")[0] if "/" in path else "en"
        assert tags["og:image"] == [SITE_URL + f"cards/{language}/series.png"] and tags["og:type"] == ["website"]


def test_without_site_url_the_tags_that_need_no_address_stay(project, config, run):
    assert run("build", "html").exit_code == 0
    tags = _opengraph(config, "en/sample.html")
    assert (
        tags["og:title"] == ["A sample paper: every kind of block"] and "og:image" not in tags and "og:url" not in tags
    )
    assert _twitter(config, "en/sample.html") == {"twitter:card": "summary"}
    assert (site_folder(config) / "cards" / "en" / "sample.png").is_file()  # ready for when site_url is set
    # The French page is not published: it shows the original's card and texts, in its own locale.
    assert _opengraph(config, "fr/sample.html")["og:title"] == ["A sample paper: every kind of block"]


def test_a_card_is_drawn_again_only_when_what_it_shows_changes(project, config, run):
    translate_catalogs(config, "fr", prefixed("FR "), domains=("sample", "series"))
    run("build", "html")
    cards = site_folder(config) / "cards"
    assert sorted(p.relative_to(cards).as_posix() for p in cards.rglob("*.png")) == [
        "en/sample.png", "en/series.png", "fr/sample.png", "fr/series.png"]
    before = {path: path.read_bytes() for path in cards.rglob("*.png")}
    changes, gone = build_cards(Project(config))
    assert changes.written == [] and gone == [] and len(changes.unchanged) == 4
    translate_catalogs(config, "fr", prefixed("FR2 ", {"A sample paper: every kind of block"}), domains=("sample",))
    changes, _ = build_cards(Project(config))
    assert changes.written == [cards / "fr" / "sample.png"]
    assert (cards / "fr" / "sample.png").read_bytes() != before[cards / "fr" / "sample.png"]
    translate_catalogs(config, "fr", lambda message: "", domains=("sample",))  # no longer published
    lines = run("build", "html").output.splitlines()
    assert "withdrew build/html/cards/fr/sample.png: its paper is no longer published in that language" in lines


def _ink(png: bytes, top: int, bottom: int) -> tuple[int, int]:
    """The left and right edges of what is drawn between two heights."""
    image = Image.open(io.BytesIO(png)).convert("RGB").crop((0, top, WIDTH, bottom))
    box = ImageChops.difference(image, Image.new("RGB", image.size, BACKGROUND)).getbbox()
    assert box is not None
    return box[0], box[2]


def test_a_right_to_left_title_is_set_from_the_right_and_shaped():
    arabic = CardText("ar", "الوفاء بوعد الاتفاق العالمي: العدالة في مجال الهجرة", "ورقة إحاطة 1",
                      "ما هو منتدى استعراض الهجرة الدولية؟", "مكتب الكويكرز لدى الأمم المتحدة", "العربية")
    english = CardText("en", "Delivering on the promise of the GCM", "Briefing paper 1", "What is the IMRF?",
                       "Quaker United Nations Office", "English")
    left, right = _ink(draw_card(arabic), 168, 300)
    assert right > WIDTH - 80 and left > 200  # flush right, a short title
    left, right = _ink(draw_card(english), 168, 300)
    assert left < 80 and right < WIDTH - 200  # flush left
    # Shaped: joined Arabic letters are narrower than the same letters set apart.
    isolated = dataclasses.replace(arabic, title=" ".join("ما هو منتدى"))
    joined = dataclasses.replace(arabic, title="ما هو منتدى")
    assert _width(draw_card(joined)) < _width(draw_card(isolated))
    assert draw_card(arabic) == draw_card(arabic)  # the same text, the same bytes


def _width(png: bytes) -> int:
    left, right = _ink(png, 168, 300)
    return right - left
