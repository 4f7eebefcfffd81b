from toxiclinks.urls import brand_of, normalize_url, registered_domain, resolve_href


def test_normalize_adds_scheme_lowercases_host_and_drops_fragment():
    assert normalize_url("WWW.Example.COM/Path?q=1#frag") == "http://www.example.com/Path?q=1"


def test_normalize_keeps_non_default_port_and_drops_default_one():
    assert normalize_url("http://example.com:8080/a") == "http://example.com:8080/a"
    assert normalize_url("https://example.com:443/a") == "https://example.com/a"


def test_normalize_encodes_idn_host_and_raw_spaces():
    assert normalize_url("https://müller.de/a b") == "https://xn--mller-kva.de/a%20b"


def test_normalize_rejects_other_schemes_and_garbage():
    for value in ("javascript:alert(1)", "mailto:a@b.c", "ftp://x.example/", "", "   ", "http://"):
        assert normalize_url(value) == ""


def test_resolve_relative_href():
    assert resolve_href("https://a.example/dir/page.html", "other.html") == "https://a.example/dir/other.html"
    assert resolve_href("https://a.example/", "#top") == ""


def test_registered_domain_uses_public_suffix_list_offline():
    assert registered_domain("https://a.b.example.co.uk/x") == "example.co.uk"
    assert registered_domain("shop.example.com.au") == "example.com.au"
    # unknown suffix: the last two labels, never the www host
    assert registered_domain("www.autoparts.example") == "autoparts.example"


def test_brand_is_the_domain_name():
    assert brand_of("https://www.brightkettle.example/shop") == "brightkettle"
    assert brand_of("shop.bright-kettle.co.uk") == "bright-kettle"


def test_resolve_root_relative_hrefs_as_urljoin_does():
    # root-relative hrefs take a short cut past urljoin: it must give the same URL in every case
    import random
    from urllib.parse import urljoin

    bases = [
        "https://a.org/blog/post",
        "http://Host.Example:80/x/y?q=1#f",
        "https://u:p@a.org:8443/p;x",
        "ftp://x/y",
        "",
    ]
    pieces = [
        "/",
        "a",
        ".",
        "..",
        "?",
        "#",
        "%2e",
        " ",
        "\t",
        "x=1",
        ";",
        ":",
        "@",
        "\\",
        "ü",
        "\u3000",
        "\x7f",
        "[",
        "//",
    ]
    rng = random.Random(7)
    for _ in range(20000):
        base = rng.choice(bases)
        href = "/" + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        try:
            expected = normalize_url(urljoin(base, href.strip()))
        except ValueError:  # urljoin refuses it ("Invalid IPv6 URL"): resolve_href gives ""
            expected = ""
        assert resolve_href(base, href) == expected, (base, href)


def test_urls_taken_as_canonical_are_what_full_normalisation_gives():
    # normalize_url returns a URL matching CANONICAL_URL untouched: the full path must agree on every one
    import random
    from urllib.parse import urlsplit

    from toxiclinks.urls import CANONICAL_URL, _normalized, host_of

    pieces = ["a", "b-", "9", ".", "/", "?", "=", "&", "%20", "é", "..", ":", "@", "\\", "\x00", "~", ";", "//"]
    rng = random.Random(11)
    checked = 0
    for _ in range(20000):
        host = ".".join(
            rng.choice(["a", "xn--bcher-kva", "b-2", "example", "co", "uk"]) for _ in range(rng.randint(1, 3))
        )
        url = f"{rng.choice(['http', 'https'])}://{host}/" + "".join(
            rng.choice(pieces) for _ in range(rng.randint(0, 8))
        )
        if CANONICAL_URL.match(url):
            checked += 1
            assert _normalized(url) == url, url
            assert host_of(url) == urlsplit(url).hostname, url  # the short cut host_of takes for them
    assert checked > 5000
    assert not CANONICAL_URL.match("https://Example.com/") and not CANONICAL_URL.match("https://a.com:8080/")
    assert not CANONICAL_URL.match("https://a.com/x#top") and not CANONICAL_URL.match("https://a.com/x\n")


def test_registered_domains_column_wise_equal_tldextract_on_every_public_suffix_rule():
    # registered_domains matches the suffix rules in Arrow; tldextract walks them as a trie: same domain for
    # hosts at, under and beside every rule (wildcards, exceptions, Unicode rules in punycode) and random ones
    import random

    import idna

    from toxiclinks.urls import _extractor, registered_domains

    hosts = set()
    for rule in _extractor()._get_tld_extractor().tlds(include_psl_private_domains=False):
        body = rule.lstrip("!").removeprefix("*.")
        ascii_body = ".".join(label if label.isascii() else idna.encode(label).decode() for label in body.split("."))
        for suffix in {body, ascii_body}:
            hosts |= {suffix, f"a.{suffix}", f"x.y.{suffix}", f"www.a.b.{suffix}", f"city.{suffix}"}
    words = ["a", "www", "co", "com", "uk", "jp", "ck", "xn--p1ai", "123", "1", "kawasaki", "city", "b-c", "-x"]
    rng = random.Random(5)
    hosts |= {".".join(rng.choice(words) for _ in range(rng.randint(1, 6))) for _ in range(20000)}
    hosts |= {"10.0.0.1", "::1", "", "a..b.com", ".com", "bücher.de"}
    ordered = sorted(hosts)
    assert registered_domains(ordered) == [registered_domain(host) for host in ordered]
