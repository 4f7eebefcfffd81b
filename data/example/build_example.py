"""Build the bundled example: an Ahrefs export and a WARC of the referring pages, all invented.

    python data/example/build_example.py

Every site, page and text here was written for the demo; the ``.example``
top-level domain is reserved (RFC 2606), so nothing here names a real site.
The imaginary target is Bright Kettle, a shop and blog about kettles and tea.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = Path(__file__).parent
SITE = "https://www.brightkettle.example"
HOME, GUIDE, SHOP = f"{SITE}/", f"{SITE}/blog/water-temperature-guide", f"{SITE}/shop/electric-kettles"
DEFAULT_NAV = '<a href="/">Home</a> <a href="/about">About</a>'


def page(
    title: str, main: str, *, nav: str = "", sidebar: str = "", footer: str = "", comments: str = "", lang: str = "en"
) -> str:
    """A plain page: header with navigation, an article, optional sidebar, comments and footer."""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<header class="site-header"><nav class="main-nav">{nav or DEFAULT_NAV}</nav></header>
<div class="content">
<article class="post"><h1>{title}</h1>
{main}
</article>
{f'<aside class="sidebar">{sidebar}</aside>' if sidebar else ""}
{f'<section id="comments" class="comments"><h3>Comments</h3>{comments}</section>' if comments else ""}
</div>
<footer class="site-footer">{footer or '<a href="/imprint">Imprint</a> <a href="/privacy">Privacy</a>'}</footer>
</body></html>"""


def para(*sentences: str) -> str:
    return "<p>" + " ".join(sentences) + "</p>"


# --- natural links: editorial citations and a forum answer ------------------------------------------

GREEN_TEA_REVIEW = page(
    "The best kettles for green tea, tested over three months",
    para(
        "Green tea is unforgiving. Pour boiling water over a good sencha and the leaves turn bitter within",
        "seconds, which is why the single most useful feature of a kettle for tea drinkers is a reliable",
        "temperature setting. Over three months we brewed more than two hundred pots with seven kettles,",
        "measuring how close each one came to the temperature it promised and how long it held it.",
    )
    + para(
        "Before we started we checked our assumptions against",
        f'<a href="{GUIDE}">Bright Kettle\'s water temperature guide</a>,',
        "which lists brewing temperatures for twenty kinds of tea and explains why a few degrees matter.",
        "Its advice of 70 to 80 degrees for Japanese green teas matched what our tasting panel preferred.",
    )
    + para(
        "The winner was the model with a one-degree display and a keep-warm mode that did not overshoot.",
        "Two cheaper kettles drifted by up to six degrees, enough to flatten the sweetness of a gyokuro.",
        "Noise mattered less than we expected, but the panel disliked lids that opened with a spring and",
        "splashed. Limescale built up fastest in the kettles with exposed heating elements.",
    )
    + para(
        "If you drink mostly black tea, any kettle will do: boiling water is what you want. For oolong,",
        "white and green teas, a variable temperature kettle is the best investment you can make in your",
        "cup, ahead of expensive leaves. We will repeat the test next year with the new models.",
    )
    + para(
        "Our method: each kettle was filled with one litre of filtered water at 15 degrees, set to 80",
        "degrees, and measured with a calibrated probe thermometer at the spout every ten seconds.",
        "We repeated every measurement five times and report the median.",
    ),
    nav='<a href="/">Leaf &amp; Cup</a> <a href="/reviews">Reviews</a> <a href="/recipes">Recipes</a>',
    footer='<a href="/about">About Leaf &amp; Cup</a> <a href="/contact">Contact</a>',
)

FORUM_THREAD = page(
    "What temperature for sencha? - Teahouse Talk",
    '<div class="topic-body"><p><b>mika_k</b> asked:</p>'
    + para(
        "I bought my first bag of sencha and every cup tastes bitter. I use water straight from the kettle.",
        "What am I doing wrong? Is it the tea or the water?",
    )
    + '</div><div class="topic-body"><p><b>oldleaf</b> answered:</p>'
    + para(
        "Boiling water is the problem. Sencha wants about 70 to 75 degrees, and it should steep only one",
        "minute. If your kettle has no temperature setting, let the water cool for five minutes with the lid",
        "open, or pour it into a cup first and then into the pot. There is a handy chart at",
        f'<a href="{GUIDE}">brightkettle.example/blog/water-temperature-guide</a>',
        "that I printed and stuck on my fridge. Also use less leaf than you think: three grams per cup.",
    )
    + para("Second steeps can be a bit hotter and shorter. Good luck, sencha is worth the trouble!")
    + "</div>",
    nav='<a href="/">Forum</a> <a href="/c/green-tea">Green tea</a> <a href="/latest">Latest</a>',
)

GADGETS_NEWS = page(
    "Ten kitchen gadgets that earned their counter space this spring",
    para(
        "Every spring our editors clear out the kitchen drawer of gadgets that promised a lot and delivered",
        "little. This year ten survived, and most of them are refreshingly simple tools that do one thing well.",
    )
    + para(
        "A small independent shop surprised us most.",
        f'<a href="{HOME}">Bright Kettle</a>',
        "sells only a handful of kettles, but its gooseneck model pours with a precision we have only seen in",
        "professional coffee equipment, and it keeps water at temperature for an hour. The shop also publishes",
        "honest care instructions, including how to descale with citric acid instead of harsh chemicals.",
    )
    + para(
        "Also on the list: a cast-iron pan that finally convinced our food editor, a digital scale that reads",
        "tenths of a gram, a herb keeper that kept basil fresh for nine days, and a pair of kitchen scissors",
        "with a removable blade that goes into the dishwasher. See the",
        f'<a href="{SHOP}">Bright Kettle range</a>',
        "for the kettle we used.",
    )
    + para(
        "None of the makers paid for inclusion, and we bought every product at full price. Prices were",
        "checked on the day of publication and may have changed since.",
    ),
    nav='<a href="/">Daily Brew News</a> <a href="/home">Home</a> <a href="/food">Food</a>',
)

MORNING_ROUTINE = page(
    "My slow morning routine, one year on",
    para(
        "A year ago I decided to stop reaching for my phone in the first hour of the day. It was harder than",
        "I thought, and the thing that made it stick was a ritual: making a pot of tea by hand, properly.",
    )
    + para(
        "I grind nothing and measure little, but I do heat the water to the right temperature with",
        f'<a href="{SHOP}">this kettle</a>',
        "which I bought after months of burning my oolong. While it heats I open the window, water the plants",
        "and write three lines in a notebook. By the time the tea has steeped, I am awake.",
    )
    + para(
        "What changed in a year? I read more books, about twenty instead of four. My mornings feel longer.",
        "And I finally learned the names of the birds outside my window: a blackbird, two blue tits and a",
        "robin that sits on the fence every day at seven. The routine is nothing special, and that is the point.",
    )
    + para("If you try something similar, start small. Ten minutes without a screen is already a lot."),
    nav='<a href="/">Home Cooking Notes</a> <a href="/blog">Blog</a>',
)

TEMPERATURE_GUIDE = page(
    "A practical guide to water temperature for coffee and tea",
    para(
        "Water temperature is the variable most home brewers ignore, and the one that changes the taste of",
        "a cup most. Coffee extracts best between 90 and 96 degrees; tea varies from 70 degrees for delicate",
        "green teas to a full boil for black teas and herbal infusions.",
    )
    + para(
        "For tea, the most complete reference we know is this",
        f'<a href="{GUIDE}">water temperature chart for twenty teas</a>',
        "by a kettle maker, which we recommend even though we disagree with its advice on white tea: we find",
        "85 degrees brings out more of the honey notes than the 80 degrees it suggests.",
    )
    + para(
        "For coffee, a thermometer is cheaper than a new kettle. Boil the water, wait thirty seconds, and you",
        "are in the right range at sea level. At altitude water boils at a lower temperature, so brew longer.",
    )
    + para("Whatever you brew, use fresh, filtered water: reboiled water loses oxygen and tastes flat."),
    nav='<a href="/">Coffee &amp; Tea Guide</a> <a href="/guides">Guides</a>',
)

GERMAN_TEST = page(
    "Wasserkocher im Test: Welcher taugt für Tee?",
    para(
        "Wer grünen oder weißen Tee trinkt, braucht einen Wasserkocher mit Temperaturwahl. Wir haben acht",
        "Geräte zwischen 30 und 150 Euro ausprobiert und dabei gemessen, wie genau die eingestellte",
        "Temperatur erreicht und gehalten wird.",
    )
    + para(
        "Am genauesten arbeitete das Modell von",
        f'<a href="{SHOP}">Bright Kettle</a>',
        "mit einer Abweichung von höchstens einem Grad. Günstigere Geräte lagen bis zu fünf Grad daneben,",
        "was bei japanischem Grüntee den Unterschied zwischen süß und bitter ausmacht.",
    )
    + para(
        "Wichtig ist auch die Reinigung: Offene Heizspiralen verkalken schnell. Wir empfehlen Geräte mit",
        "verdeckter Heizplatte und Entkalken mit Zitronensäure einmal im Monat.",
    )
    + para("Fazit: Wer viel Tee trinkt, sollte lieber beim Wasserkocher als beim Tee sparen."),
    nav='<a href="/">Teeblog</a> <a href="/ratgeber">Ratgeber</a>',
    lang="de",
)

# A page that linked once, but the link is gone (Ahrefs still lists it).
LOST_LINK = page(
    "Spring cleaning the tea cupboard",
    para(
        "Old tea does not go off, but it loses its aroma. Once a year I sort the cupboard, brew a cup of each",
        "open bag, and give away what I no longer enjoy. This year, twelve bags went to my neighbours.",
    )
    + para("Store tea airtight, away from light and from the spice shelf: tea absorbs smells easily."),
    nav='<a href="/">Slow Living</a>',
)

# --- artificial links: the schemes of Google's link-spam policy -------------------------------------


def directory(section: str, n_links: int, start: int) -> str:
    others = [
        ("cheap car insurance", "http://insure-quick.example/"),
        ("payday loans online", "http://fastcash-now.example/"),
        ("best online casino", "http://spin-palace-bonus.example/"),
        ("replica watches", "http://luxury-replicas.example/"),
        ("web design agency", "http://pixelcraft-studio.example/"),
        ("seo services", "http://rank-boosters.example/"),
        ("cheap flights", "http://skydeals-travel.example/"),
        ("weight loss pills", "http://slimfast-pills.example/"),
        ("garden furniture", "http://patio-kings.example/"),
        ("dentist near me", "http://smile-clinic.example/"),
    ]
    items = []
    for i in range(n_links):
        anchor, url = others[(i + start) % len(others)]
        items.append(f'<li><a href="{url}?ref={i}">{anchor}</a> - listed {2019 + i % 6}</li>')
    items.insert(7, f'<li><a href="{SHOP}">best electric kettle</a> - listed 2024</li>')
    return page(
        f"{section} - Free Web Directory - page {start}",
        f"<p>Submit your site for free! {section} links:</p><ul>{''.join(items)}</ul>",
        nav='<a href="/">Directory</a> <a href="/submit">Submit link</a>',
    )


CASINO_POST = page(
    "Top 10 ways to boost your casino winnings in 2026",
    para(
        "Every casino player wants bigger winnings. Online casino bonuses, free spins and betting strategies",
        "can make a difference if you know how to use them. Here are our top tips for slots, poker and roulette.",
    )
    + para(
        "1. Always claim the welcome casino bonus. 2. Play slots with a high return to player. 3. Set a budget",
        "for betting and stick to it. 4. Learn basic blackjack strategy. 5. Take breaks, even between spins.",
    )
    + para(
        "After a long session, relax with a hot drink: we love the",
        f'<a href="{SHOP}">best electric kettle</a>',
        "for a quick cup before the next poker tournament.",
    )
    + para(
        "6. Avoid progressive jackpot slots on a small budget. 7. Compare casino odds. 8. Use betting",
        "limits. 9. Read the bonus terms. 10. Never chase losses at the roulette table or in sports betting.",
    ),
    nav='<a href="/">Casino News Daily</a> <a href="/bonus">Bonus</a> <a href="/slots">Slots</a>',
    sidebar='<a href="http://spin-palace-bonus.example/">Casino bonus</a> '
    '<a href="http://bet-kings.example/">Betting tips</a>',
)


def autoparts(title: str, text: str) -> str:
    return page(
        title,
        para(text, "All parts ship within 24 hours, with a two-year warranty and free returns.")
        + para("Our mechanics check every part before it is listed. Call us for advice on fitting."),
        nav='<a href="/">AutoParts Deals</a> <a href="/brakes">Brakes</a> <a href="/tyres">Tyres</a>',
        footer='<a href="/imprint">Imprint</a> <div class="partner-links">Partners: '
        '<a href="http://insure-quick.example/">cheap car insurance</a> | '
        f'<a href="{SHOP}">best electric kettle</a> | '
        '<a href="http://fastcash-now.example/">payday loans</a> | '
        '<a href="http://luxury-replicas.example/">replica watches</a></div>',
    )


TRAVEL_COMMENTS = page(
    "Lisbon in winter: five quiet days",
    para(
        "Lisbon in January is mild, bright and almost empty. We walked from Alfama to Belém in the low sun,",
        "ate grilled sardines out of season and listened to fado in a bar with six tables.",
    )
    + para(
        "The trams are less crowded in winter, and the viewpoints belong to the locals again. Bring a jacket",
        "for the evenings and shoes with grip: the polished stone streets are slippery after rain.",
    )
    + para("Our favourite day was a trip to Sintra, where the fog made the palaces look like a fairy tale."),
    nav='<a href="/">Wanderer</a> <a href="/europe">Europe</a>',
    comments='<div class="comment"><p>Lovely post, Lisbon is my favourite city!</p></div>'
    '<div class="comment"><p>Great post, thanks for sharing! Check out '
    f'<a href="{SHOP}">cheap electric kettles</a></p></div>'
    '<div class="comment"><p>We went in February, also recommend Sintra.</p></div>',
)

RECIPE_NOFOLLOW_COMMENT = page(
    "Three-ingredient lemon cake",
    para(
        "This cake needs only lemons, eggs and sugar, plus a spoon of flour if you want it firmer. Bake it",
        "for forty minutes at 170 degrees and let it cool completely before you cut it.",
    )
    + para("It keeps for three days in a tin and tastes even better on the second day."),
    nav='<a href="/">Bake Simple</a>',
    comments='<div class="comment"><p>Made it yesterday, delicious. Great post, thanks for sharing! '
    f'<a href="{SHOP}" rel="nofollow ugc">buy electric kettle online</a></p></div>',
)

GARDEN_HIDDEN = page(
    "How to prune roses in late winter",
    para(
        "Prune roses when the forsythia blooms: the worst frosts are over and the buds are swelling. Cut out",
        "dead, damaged and crossing wood first, then shorten the strongest canes by a third.",
    )
    + para(
        "Always cut just above an outward-facing bud, at a slight angle, so that water runs off.",
        f'<span style="display:none"><a href="{SHOP}">cheap electric kettle</a></span>',
        "Use clean, sharp secateurs to avoid tearing the stems.",
    )
    + para("Feed the roses after pruning with compost or a balanced fertiliser, and mulch the beds."),
    nav='<a href="/">Garden Tips</a> <a href="/roses">Roses</a>',
)

BETTING_SIDEBAR = page(
    "Premier League odds: matchday 14 preview",
    para(
        "Arsenal are favourites at home, but the betting odds for an away win have shortened after the",
        "injury news. Our tip for the weekend is a draw in the early kick-off and over 2.5 goals at Anfield.",
    )
    + para("Compare the odds of at least three bookmakers before you bet, and never bet more than you can lose."),
    nav='<a href="/">Betting Tips</a> <a href="/football">Football</a>',
    sidebar='<div class="widget"><h4>Sponsored</h4><a href="http://bet-kings.example/">betting bonus</a> '
    f'<a href="{SHOP}">best electric kettle deals</a> <a href="http://fastcash-now.example/">fast loans</a></div>',
)

# --- the target site's own pages: in the crawl too, they give the site's topic -----------------------

TARGET_PAGES = {
    HOME: page(
        "Bright Kettle - kettles for tea lovers",
        para(
            "Bright Kettle makes electric kettles for people who care about tea. Every kettle heats water to the",
            "degree, from 40 to 100, holds it for an hour, and pours precisely from a gooseneck spout.",
        )
        + para(
            "We test every kettle for temperature accuracy and publish our water temperature guide for green,",
            "white, oolong and black teas. Free delivery, two-year warranty, descaling advice included.",
        ),
        nav='<a href="/shop/electric-kettles">Kettles</a> <a href="/blog/water-temperature-guide">Guide</a>',
    ),
    GUIDE: page(
        "Water temperature guide for tea",
        para(
            "Green tea: 70 to 80 degrees. White tea: 80 degrees. Oolong: 85 to 95 degrees. Black tea and",
            "herbal infusions: 95 to 100 degrees. Japanese sencha and gyokuro prefer cooler water, 60 to 75",
            "degrees, and shorter steeping. Too hot water makes green tea bitter; too cool water leaves black",
            "tea flat.",
        )
        + para(
            "A kettle with a temperature setting makes this easy; without one, let boiled water cool for a few",
            "minutes with the lid open.",
        ),
    ),
    SHOP: page(
        "Electric kettles - Bright Kettle shop",
        para(
            "Our electric kettles: the gooseneck kettle with one-degree temperature control, the compact travel",
            "kettle, and the glass kettle with a tea infuser. Each keeps water warm for an hour and switches off",
            "when empty. Stainless steel, no plastic in contact with water, limescale filter included.",
        ),
    ),
}

# --- the export and the WARC -------------------------------------------------------------------------

# (referring URL, page HTML or the HTTP error status the crawl got, target, anchor, nofollow)
BACKLINKS: list[tuple[str, str | int, str, str, bool]] = [
    (
        "https://www.leafandcup.example/reviews/best-kettles-for-green-tea",
        GREEN_TEA_REVIEW,
        GUIDE,
        "Bright Kettle's water temperature guide",
        False,
    ),
    (
        "https://forum.teahouse-talk.example/t/what-temperature-for-sencha/4412",
        FORUM_THREAD,
        GUIDE,
        "brightkettle.example/blog/water-temperature-guide",
        False,
    ),
    ("https://www.dailybrew-news.example/2026/03/kitchen-gadgets-spring", GADGETS_NEWS, HOME, "Bright Kettle", False),
    (
        "https://www.dailybrew-news.example/2026/03/kitchen-gadgets-spring",
        GADGETS_NEWS,
        SHOP,
        "Bright Kettle range",
        False,
    ),
    ("https://homecooking.example/blog/morning-routine", MORNING_ROUTINE, SHOP, "this kettle", False),
    (
        "https://www.coffeeandtea-guide.example/guides/water-temperature",
        TEMPERATURE_GUIDE,
        GUIDE,
        "water temperature chart for twenty teas",
        False,
    ),
    ("https://www.teeblog.example/ratgeber/wasserkocher-test", GERMAN_TEST, SHOP, "Bright Kettle", False),
    ("https://slow-living.example/2025/spring-cleaning-tea", LOST_LINK, HOME, "Bright Kettle", False),
    ("https://old-tea-blog.example/2019/kettles", 404, HOME, "brightkettle", False),
    ("https://moved-away.example/links", 503, HOME, "Bright Kettle", False),
    (
        "http://free-web-directory.example/home-garden/page-7.html",
        directory("Home & Garden", 40, 7),
        SHOP,
        "best electric kettle",
        False,
    ),
    (
        "http://free-web-directory.example/shopping/kitchen/page-3.html",
        directory("Kitchen", 35, 3),
        SHOP,
        "best electric kettle",
        False,
    ),
    (
        "http://linkhub-pro.example/category/shopping?p=12",
        directory("Shopping", 50, 12),
        SHOP,
        "best electric kettle",
        False,
    ),
    (
        "https://www.casino-news-daily.example/2026/02/top-10-ways-to-boost-casino-winnings",
        CASINO_POST,
        SHOP,
        "best electric kettle",
        False,
    ),
    (
        "https://www.autoparts-deals.example/",
        autoparts(
            "AutoParts Deals - car parts online", "Brake pads, discs, tyres and filters for over 3,000 car models."
        ),
        SHOP,
        "best electric kettle",
        False,
    ),
    (
        "https://www.autoparts-deals.example/brakes",
        autoparts("Brake pads and discs", "Brake pads and discs from all major brands, sorted by car model."),
        SHOP,
        "best electric kettle",
        False,
    ),
    (
        "https://www.autoparts-deals.example/tyres",
        autoparts("Summer and winter tyres", "Summer, winter and all-season tyres in every size."),
        SHOP,
        "best electric kettle",
        False,
    ),
    (
        "https://www.wanderer-travels.example/2025/12/lisbon-in-winter",
        TRAVEL_COMMENTS,
        SHOP,
        "cheap electric kettles",
        False,
    ),
    ("https://bake-simple.example/lemon-cake", RECIPE_NOFOLLOW_COMMENT, SHOP, "buy electric kettle online", True),
    ("https://garden-tips.example/roses/pruning", GARDEN_HIDDEN, SHOP, "cheap electric kettle", False),
    (
        "https://www.betting-tips-daily.example/football/matchday-14",
        BETTING_SIDEBAR,
        SHOP,
        "best electric kettle deals",
        False,
    ),
]

# The labels an auditor would give the example links (for 'toxiclinks train' and 'evaluate' demos); pages that
# could not be read stay unlabelled.
NATURAL_PAGES = {
    "leafandcup",
    "teahouse-talk",
    "dailybrew-news",
    "homecooking",
    "coffeeandtea-guide",
    "teeblog",
    "slow-living",
}


def label_of(url: str, content: str | int) -> str:
    if not isinstance(content, str):
        return ""
    return "natural" if any(f"{name}.example" in url for name in NATURAL_PAGES) else "artificial"


AHREFS_HEADER = [
    "Referring page title",
    "Referring page URL",
    "Language",
    "Platform",
    "Referring page HTTP code",
    "Domain rating",
    "UR",
    "Domain traffic",
    "Referring domains",
    "Linked domains",
    "External links",
    "Page traffic",
    "Keywords",
    "Target URL",
    "Left context",
    "Anchor",
    "Right context",
    "Redirect Chain URLs",
    "Redirect Chain status codes",
    "Type",
    "Content",
    "Nofollow",
    "UGC",
    "Sponsored",
    "Rendered",
    "Raw",
    "Lost status",
    "Drop reason",
    "Discovered status",
    "First seen",
    "Last seen",
    "Lost",
    "Author",
    "Links in group",
]


def build() -> None:
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(AHREFS_HEADER)
    for number, (url, content, target, anchor, nofollow) in enumerate(BACKLINKS):
        title = content.split("<title>")[1].split("</title>")[0] if isinstance(content, str) else ""
        code = 200 if isinstance(content, str) else content
        writer.writerow(
            [
                title,
                url,
                "de" if "teeblog" in url else "en",
                "",
                code,
                12 + (number * 7) % 60,
                5 + (number * 3) % 20,
                100 * number,
                40 + number,
                20 + number,
                5 + number,
                10 * number,
                number,
                target,
                "",
                anchor,
                "",
                "",
                "",
                "text",
                "",
                str(nofollow).lower(),
                "false",
                "false",
                "true",
                "true",
                "",
                "",
                "",
                f"2025-{1 + number % 12:02d}-1{number % 9} 10:15:00",
                "2026-11-01 08:00:00",
                "",
                "",
                1,
            ]
        )
    (HERE / "backlinks.csv").write_text(rows.getvalue(), encoding="utf-8")

    # The same export with the auditor's labels in an extra column, as users keep them after an audit.
    lines = rows.getvalue().splitlines()
    labelled = [lines[0] + ",Label"] + [
        f"{line},{label_of(url, content)}" for line, (url, content, *_) in zip(lines[1:], BACKLINKS, strict=True)
    ]
    (HERE / "labelled.csv").write_text("\n".join(labelled) + "\n", encoding="utf-8")

    with (HERE / "pages.warc.gz").open("wb") as stream:
        warc = WARCWriter(stream, gzip=True)
        written = set()
        for url, content, *_ in BACKLINKS:
            if url in written:
                continue
            written.add(url)
            reason = {404: "Not Found", 503: "Service Unavailable"}
            status = "200 OK" if isinstance(content, str) else f"{content} {reason[content]}"
            body = (content if isinstance(content, str) else "<h1>Not found</h1>").encode("utf-8")
            headers = StatusAndHeaders(status, [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = warc.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2026-11-20T10:00:00Z"},
            )
            warc.write_record(record)
        for url, content in TARGET_PAGES.items():
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = warc.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(content.encode("utf-8")),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2026-11-20T10:00:00Z"},
            )
            warc.write_record(record)


if __name__ == "__main__":
    build()
