"""Feeds and article URLs served by a real HTTP server on 127.0.0.1, including 404s and slow answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from ingest.loaders.web import Fetcher
from ingest.settings import IngestOptions
from ingest.sources import SourceBatch, load_source
from tests.support.web import Route, WebServer

OPTIONS = IngestOptions(fetch_timeout=0.5)
ARTICLE = """<html><head><title>{title}</title><meta property="og:site_name" content="Energi Kini"></head>
<body><nav>Beranda | Indeks | Kontak</nav><article><h1>{title}</h1><p>{body}</p></article>
<footer>Hak cipta Energi Kini</footer></body></html>"""


def article(title: str, body: str) -> Route:
    return Route(ARTICLE.format(title=title, body=body).encode())


def rss(web: WebServer, items: list[tuple[str, str, str]]) -> Route:
    entries = "".join(
        f"<item><title>{title}</title><link>{web.url(path)}</link>"
        f"<pubDate>Mon, 02 Jun 2025 23:30:00 +0700</pubDate><description>{summary}</description></item>"
        for title, path, summary in items
    )
    channel = f"<channel><title>Energi Kini</title>{entries}</channel>"
    xml = f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'
    return Route(xml.encode(), content_type="application/rss+xml")


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(timeout=OPTIONS.fetch_timeout, user_agent="briefbot-test", max_bytes=200_000) as client:
        yield client


def load(source: str, fetcher: Fetcher) -> SourceBatch:
    return load_source(source, OPTIONS, fetcher)


def test_rss_entries_become_briefs_from_their_article_pages(web: WebServer, fetcher: Fetcher) -> None:
    body = (
        "PLN menambah kapasitas pembangkit surya atap sebesar 200 megawatt di Jawa dan Bali tahun ini, "
        "seiring permintaan industri yang ingin menurunkan emisi."
    )
    web.routes["/a/surya"] = article("PLN tambah surya atap", body)
    web.routes["/feed.xml"] = rss(
        web,
        [
            ("PLN tambah surya atap", "/a/surya", "Ringkasan singkat."),
            (
                "Harga batu bara turun",
                "/a/hilang",
                "<p>Harga batu bara acuan turun untuk bulan kedua berturut-turut.</p>",
            ),
            ("Tanpa ringkasan", "/a/juga-hilang", ""),
        ],
    )

    batch = load(web.url("/feed.xml"), fetcher)

    assert batch.complete and not batch.remove_missing
    briefs = {b.id: b for b in batch.briefs}
    solar = briefs[web.url("/a/surya")]
    assert solar.title == "PLN tambah surya atap"
    assert solar.source == "Energi Kini"
    assert solar.published == date(2025, 6, 2)  # the publisher's own day, not shifted to UTC
    assert solar.text.startswith("PLN menambah kapasitas") and "Beranda" not in solar.text
    assert solar.lang == "id"
    # The article is gone (404): the feed's summary stands in for it.
    assert (
        briefs[web.url("/a/hilang")].text == "Harga batu bara acuan turun untuk bulan kedua berturut-turut."
    )
    # Neither article nor summary: reported, not indexed.
    assert batch.failed == [
        (
            web.url("/a/juga-hilang"),
            "article unavailable (HTTP 404 Not Found) and the feed entry has no summary",
        )
    ]


def test_atom_feed(web: WebServer, fetcher: Fetcher) -> None:
    web.routes["/a/ev"] = article(
        "EV battery plant",
        "The battery cell plant in Karawang started trial production for electric cars on Monday.",
    )
    atom = f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
    <title>Auto Asia</title><entry><title>EV battery plant opens</title><link href="{web.url("/a/ev")}"/>
    <updated>2025-07-14T10:00:00+07:00</updated><id>urn:1</id></entry></feed>"""
    web.routes["/atom"] = Route(atom.encode(), content_type="application/atom+xml")

    [brief] = load(web.url("/atom"), fetcher).briefs

    assert (brief.title, brief.source, brief.published, brief.lang) == (
        "EV battery plant opens",
        "Auto Asia",
        date(2025, 7, 14),
        "en",
    )


def test_single_article_url(web: WebServer, fetcher: Fetcher) -> None:
    web.routes["/berita/nikel"] = article(
        "Ekspor nikel",
        "Nilai ekspor produk olahan nikel Indonesia naik tajam pada semester pertama tahun ini.",
    )
    batch = load(web.url("/berita/nikel"), fetcher)
    assert [(b.id, b.title, b.url) for b in batch.briefs] == [
        (web.url("/berita/nikel"), "Ekspor nikel", web.url("/berita/nikel"))
    ]


def test_missing_feed_is_reported_and_marks_the_source_incomplete(web: WebServer, fetcher: Fetcher) -> None:
    batch = load(web.url("/no-such-feed.xml"), fetcher)
    assert not batch.complete and batch.briefs == []
    assert batch.failed == [(web.url("/no-such-feed.xml"), "HTTP 404 Not Found")]


def test_slow_feed_times_out(web: WebServer, fetcher: Fetcher) -> None:
    web.routes["/slow.xml"] = Route(b"<rss/>", content_type="application/rss+xml", delay=2.0)
    batch = load(web.url("/slow.xml"), fetcher)
    assert not batch.complete
    assert "timeout" in batch.failed[0][1]


def test_slow_article_falls_back_to_the_summary(web: WebServer, fetcher: Fetcher) -> None:
    web.routes["/a/lambat"] = Route(b"<html><body><p>late</p></body></html>", delay=2.0)
    web.routes["/feed"] = rss(
        web,
        [("Tarif listrik tetap", "/a/lambat", "Pemerintah menahan tarif listrik nonsubsidi kuartal ketiga.")],
    )
    [brief] = load(web.url("/feed"), fetcher).briefs
    assert brief.text == "Pemerintah menahan tarif listrik nonsubsidi kuartal ketiga."


def test_page_without_article_text_is_reported(web: WebServer, fetcher: Fetcher) -> None:
    web.routes["/kosong"] = Route(b"<html><body><nav>Beranda</nav></body></html>")
    batch = load(web.url("/kosong"), fetcher)
    assert batch.briefs == []
    [(what, why)] = batch.failed
    assert what == web.url("/kosong") and "text" in why


def test_malformed_entry_links_are_reported_not_raised(web: WebServer, fetcher: Fetcher) -> None:
    body = "Pertamina menaikkan produksi minyak di blok Rokan sebesar lima persen pada semester pertama."
    web.routes["/a/rokan"] = article("Produksi Rokan naik", body)
    good = rss(web, [("Produksi Rokan naik", "/a/rokan", "Ringkasan.")]).body.decode()
    bad_links = "".join(
        f"<item><title>Rusak {n}</title><link>{link}</link><description>Tautan rusak.</description></item>"
        for n, link in enumerate(["http://[::1/berita", "http://contoh.id:port/berita"], start=1)
    )
    web.routes["/feed.xml"] = Route(
        good.replace("</channel>", bad_links + "</channel>").encode(), "application/rss+xml"
    )
    batch = load(web.url("/feed.xml"), fetcher)
    assert [b.title for b in batch.briefs] == ["Produksi Rokan naik"]
    assert len(batch.failed) == 2 and batch.complete
    assert all("not a valid web address" in why for _, why in batch.failed)


def test_malformed_source_url_is_reported_not_raised(fetcher: Fetcher) -> None:
    batch = load("http://[::1/feed.xml", fetcher)
    assert not batch.complete and batch.failed == [("http://[::1/feed.xml", "not a valid web address")]
