from __future__ import annotations

import pytest

from rolematch.errors import InputError
from rolematch.text import (MAX_CHARS, break_symbol_runs, clean_title, decode_bytes, html_to_text, looks_like_html,
                            prepare, read_posting)

FR = "Nous recherchons un ingénieur pour déployer des modèles. Expérience requise : 3 ans."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_decodes_common_encodings(encoding):
    assert decode_bytes(FR.encode(encoding), "x.txt") == FR


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_decoded(encoding):
    assert decode_bytes(FR.encode(encoding), "x.txt") == FR


@pytest.mark.parametrize("damage", [lambda b: b[:-1], lambda b: b + "\ud800".encode("utf-16-le", "surrogatepass")])
def test_damaged_utf16_without_bom_is_named_as_utf16_not_binary(damage):
    with pytest.raises(InputError, match=r"^x.txt: undecodable bytes in utf-16-le text \(no byte-order mark\)"):
        decode_bytes(damage((FR * 3).encode("utf-16-le")), "x.txt")


def test_a_stray_nul_byte_does_not_make_a_text_binary():
    assert decode_bytes(FR.encode() + b"\x00" + FR.encode(), "x.txt") == FR + "\x00" + FR


def test_cp1252_specific_characters():
    text = "L’équipe – « données » €"
    assert decode_bytes(text.encode("cp1252")) == text


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"   \n\t ", "empty"),
    (b"\x00\x01\x02binary\x00\xff", "binary"),
    (bytes(range(256)) * 4, "binary"),
])
def test_bad_bytes_raise_clear_error_naming_the_file(data, reason):
    with pytest.raises(InputError, match=reason) as exc:
        decode_bytes(data, "posting.txt")
    assert str(exc.value).startswith("posting.txt: ")


def test_invalid_utf8_bytes_are_read_as_cp1252_one_by_one():
    """A UTF-8 file with a few cp1252 bytes (or cut inside a character) reads as `score` reads a cell."""
    assert decode_bytes("déjà vu".encode() + b" \xff\x80 caf\xe9") == "déjà vu ÿ€ café"
    assert decode_bytes("Ingénieur".encode() + "é".encode()[:1]) == "IngénieurÃ"


@pytest.mark.parametrize("encoding", ["latin-1", "cp437"])
def test_binary_is_refused_whatever_the_encoding(encoding):
    """latin-1 decodes any bytes: --encoding must not turn a program or a .docx into a posting."""
    with pytest.raises(InputError, match=f"binary file .*read as {encoding}"):
        decode_bytes(bytes(range(256)) * 8, "x.bin", encoding)
    assert decode_bytes("Données".encode("latin-1"), "ok.txt", "latin-1") == "Données"
    # cp1252 read as latin-1: its curly quotes and dashes are C1 characters, not a sign of binary data
    quoted = ("L’équipe – “données” – recrute un ingénieur’ " * 20).encode("cp1252")
    assert decode_bytes(quoted, "fr.txt", "latin-1").startswith("L\x92équipe")


def test_html_is_stripped_with_blocks_and_entities():
    html = "<html><head><style>p{}</style></head><body><h1>ML&nbsp;Engineer</h1><p>Deploy &amp; monitor</p>" \
           "<ul><li>Python</li><li>Docker</li></ul><script>alert(1)</script></body></html>"
    assert looks_like_html(html)
    text = html_to_text(html)
    assert "alert" not in text and "p{}" not in text
    assert "Deploy & monitor" in text
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert lines[0] == "ML Engineer"
    assert "- Python" in lines and "- Docker" in lines


def test_html_table_cells_stay_apart():
    html = "<table><tr><th>Skills</th><td>Python</td><td>SQL</td></tr><tr><td>Tools</td> <td>Tableau</td></tr></table>"
    lines = [ln for ln in html_to_text(html).splitlines() if ln.strip()]
    assert lines == ["Skills | Python | SQL", "Tools | Tableau"]


def test_plain_text_offsets_refer_to_the_input_after_nfc():
    decomposed = "Cafe\u0301 et mode\u0300le de donne\u0301es"  # combining accents
    p = prepare(decomposed)
    assert p.text == "Café et modèle de données"
    start = p.text.index("modèle")
    s, e = p.to_source(start, start + len("modèle"))
    assert decomposed[s:e] == "mode\u0300le"


def test_control_characters_keep_offsets():
    raw = "Python\x00and\u00a0SQL\r\nDocker"
    p = prepare(raw)
    assert len(p.text) == len(raw)
    i = p.text.index("SQL")
    assert raw[slice(*p.to_source(i, i + 3))] == "SQL"


def test_empty_and_oversized_text():
    with pytest.raises(InputError, match="empty"):
        prepare("  \n ")
    with pytest.raises(InputError, match="too large"):
        prepare("a" * (MAX_CHARS + 1))


def test_read_posting_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_posting(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="directory"):
        read_posting(tmp_path)
    f = tmp_path / "fr.txt"
    f.write_bytes(FR.encode("cp1252"))
    assert read_posting(f) == FR


def test_lone_surrogates_become_replacement_characters_offsets_kept():
    text = "We deploy models with Docker. \ud800 " + FR
    p = prepare(text)
    assert len(p.text) == len(text) and "\ud800" not in p.text and "\ufffd" in p.text
    p.text.encode("utf-8")  # spaCy hashes strings as UTF-8



def test_html_without_closing_head_keeps_its_body():
    page = "<html><head><meta charset=utf-8><title>Jobs</title><body><p>We deploy models.</p><p>Python</p>"
    assert html_to_text(page) == "We deploy models.\n\nPython"
    assert html_to_text("<head><title>Jobs</title>We deploy models.<p>Python</p>") == "We deploy models.\n\nPython"
    assert "Jobs" not in html_to_text("<html><head><title>Jobs</title></head><body><p>x</p><p>y</p></body>")


def test_cdata_wrapped_html_from_xml_feeds_is_read():
    assert html_to_text("<![CDATA[<p>We deploy <b>models</b>.</p><ul><li>Python</li></ul>]]>") == (
        "We deploy models.\n\n- Python")


def test_entity_references_are_decoded_in_plain_text_with_offsets_into_it():
    from rolematch.extract import Extractor

    text = "D&eacute;ployer des mod&egrave;les &amp; les suivre. Budget x<y must hold -> always. " + FR
    p = prepare(text)
    assert not p.is_html and p.text.startswith("Déployer des modèles & les suivre. Budget x<y must hold")
    for m in Extractor().extract(text).matches:
        assert text[m.start:m.end] == m.text  # offsets index the text as passed
    s, e = p.to_source(0, len("Déployer"))
    assert text[s:e] == "D&eacute;ployer"
    one_tag = prepare("Mod&egrave;les<br>Python et SQL pour nos équipes de données")
    assert one_tag.is_html and one_tag.text.startswith("Modèles\nPython")  # a tag and an entity: HTML
    assert not looks_like_html("R&amp;D &amp; AT&amp;T") and not looks_like_html("R&D and AT&T; Q&A")


def test_soft_hyphens_and_joiners_are_removed_and_offsets_map_back():
    from rolematch.extract import Extractor

    text = "We run Kuber\u00adnetes, Dock\u2060er and scikit\u2011learn. " + FR
    p = prepare(text)
    assert "Kubernetes, Docker and scikit-learn" in p.text
    matches = {m.id: m for m in Extractor().extract(text).matches}
    assert {"kubernetes", "docker", "scikit_learn"} <= set(matches)
    assert text[matches["kubernetes"].start:matches["kubernetes"].end] == "Kuber\u00adnetes"
    assert text[matches["docker"].start:matches["docker"].end] == "Dock\u2060er"
    trailing = "We need Python\u00ad and SQL\ufeff\u200d, daily. " + FR  # removed characters around a match: outside it
    got = {m.id: m.text for m in Extractor().extract(trailing).matches}
    assert got["python"] == "Python" and got["sql"] == "SQL"


def test_cdata_wrapped_plain_text_and_titles_are_read_through():
    from rolematch.mentions import find_mentions
    from rolematch.text import clean_title

    text = "<![CDATA[Machine Learning Engineer\n\nYou will deploy models to production.]]>"
    p = prepare(text)
    assert not p.is_html and "CDATA" not in p.text and len(p.text) == len(text)
    assert [m.own for m in find_mentions(p.text)] == [True]
    assert clean_title("<![CDATA[Data Scientist]]>") == "Data Scientist"


def test_undefined_cp1252_bytes_do_not_turn_the_file_into_latin1():
    data = "l’œuvre d’une équipe – ".encode("cp1252") + b"\x81" + "données".encode("cp1252")
    assert decode_bytes(data) == "l’œuvre d’une équipe – \x81données"


def test_a_style_or_script_before_the_title_keeps_the_head_out():
    for block in ("<style>h1{color:red}</style>", "<script>var x = 1;</script>"):
        page = f"<html><head>{block}<title>Careers | Contoso</title></head><body><p>Nurse</p><p>Care</p></body>"
        assert html_to_text(page) == "Nurse\n\nCare"


def test_encoding_of_a_head():
    """No BOM and no UTF-16: UTF-8 with the per-byte cp1252 fallback, however many cp1252 bytes the head
    holds (a shortcut to cp1252 would turn a later UTF-8 row into mojibake, and stdin reads a shorter head)."""
    from rolematch.text import FALLBACK_ERRORS, encoding_of

    french = "L’équipe données où l’été « déjà » – ".encode("cp1252") * 4
    assert encoding_of(b"We\x92re hiring " * 3) == encoding_of(french) == "utf-8"
    mixed = french * 10 + "ingénieur".encode()
    assert decode_bytes(mixed) == (french * 10).decode("cp1252") + "ingénieur"
    assert mixed.decode("utf-8", errors=FALLBACK_ERRORS).endswith("ingénieur")


def test_html_is_laid_out_as_a_browser_shows_it():
    """A line break in the markup after <br> (or one <div> per line) made every line its own block, so a
    benefits list under its heading was no longer one section."""
    lines = ["Benefits", "Conference budget for NeurIPS", "Dedicated GPU cluster", "Free lunch"]
    want = "\n".join(lines)
    assert html_to_text("<p>" + "<br>".join(lines) + "</p>") == want
    assert html_to_text("<p>" + "<br>\n".join(lines) + "</p>") == want
    assert html_to_text("".join(f"<div>{x}</div>\n" for x in lines)) == want
    assert html_to_text("<p>We deploy models.</p>\n<p>Python</p>") == "We deploy models.\n\nPython"
    # half-HTML (a CSV cell with a few tags) keeps its own lines and blank lines
    assert html_to_text("<b>Benefits</b>\nFree lunch\nGym\n\nYour impact") == "Benefits\nFree lunch\nGym\n\nYour impact"
    from rolematch.boilerplate import boilerplate_spans

    role = "<p>You will build and deploy the ranking models behind our search, from data to monitoring.</p>"
    text = prepare(role * 2 + "<p>" + "<br>\n".join(lines) + "</p><p>Your impact</p>" + role).text
    assert [text[s:e].strip() for s, e in boilerplate_spans(text)] == [want]


def test_whole_pages_inline_tags_and_escaped_markup_are_read_as_html():
    body = "<ul><li>Kubernetes</li><li>Terraform</li></ul>"
    page = "<!DOCTYPE html><html><head><style>" + "p { color: red; }\n" * 2000 + "</style></head><body>" + body
    assert prepare(page).is_html and prepare(page).text == "- Kubernetes\n- Terraform"
    # tags named in prose are no markup (offsets must index the text as given)
    prose = "Semantic HTML (<section>, <article>, <header>) and accessible <img> alt text; a &lt; b and c &lt; i."
    assert not prepare(prose).is_html and prepare(prose).text == prose.replace("&lt;", "<")
    assert prepare("<p>a<br>\r\nb</p>").text == "a\nb"  # CRLF after a break is one line break
    assert prepare("<p>Python\x00SQL</p><p>x</p>").text == "Python SQL\n\nx"  # control characters are no breaks
    assert prepare("<p>Python\ue000SQL</p><p>x</p>").text == "Python\ue000SQL\n\nx"  # nor icon-font glyphs
    for named in ("you know when a <div> beats a <span>", "not raw <p> or <br> tags", "<html> and CSS skills",
                  "parsing <table>, <tr> and <td> elements", "helps (`<div>`, `<span>`, CSS)",
                  "les balises «\u00a0<div>\u00a0» et «\u00a0<span>\u00a0»", "Know tags [<div>, <span>] well",
                  "balises «\u202f<div>\u202f» et «\u202f<span>\u202f»", "You know **<table>** and **<span>**",
                  "A <div>—or a <span>—is fine", "types like Either<A, B> and Array<B> and Box<P>"):
        assert not looks_like_html(named + " in our dashboards; we use Python and SQL every day.")
    # markup touches its text or a line break, closed or not
    for markup in ("Machine Learning Engineer<br>You will deploy.<p>Benefits: free lunch.", "Requirements:<li>Python<li>SQL",
                   " <p> We analyse data. </p> <ul> <li> Budget </li> </ul> Apply now.",  # spaced out on one line
                   "x <br> Requirements: Python, SQL <br> Benefits: remote work <br> y",
                   "Paris. <p> Requirements: Python, SQL <p> Benefits: lunch", "Requirements: <li> Python <li> SQL",
                   "<ul>\n  <li>Python</li>\n</ul>", "<p>Senior Data Scientist<p> We are hiring, Caf&eacute;"):
        assert looks_like_html(markup), markup
    assert prepare("Data Scientist&lt;br&gt;&lt;br&gt;We build models.&lt;br&gt;- Free lunch").is_html  # <br>s only
    escaped = "&lt;p&gt;We deploy models.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Kubernetes&lt;/li&gt;&lt;/ul&gt;"
    assert prepare(escaped).is_html and prepare(escaped).text == "We deploy models.\n\n- Kubernetes"
    assert prepare("R&amp;D in Python &lt; 3 years").text == "R&D in Python < 3 years"  # not markup


@pytest.mark.parametrize("run", ["=" * 20_000, "\U0001F680" * 5_000, "-*" * 40, "=" * 63])
def test_long_symbol_runs_are_broken_in_place_so_tokenizing_stays_linear(run):
    """spaCy splits a run of symbols one character at a time from its ends: quadratic (10,000 "=": 10-20 s)."""
    text = "We deploy models to production.\n" + run + "\nPython and Docker."
    prepared = prepare(text)
    assert len(prepared.text) == len(text) and prepared.source == text  # offsets hold
    assert max(len(chunk) for chunk in prepared.text.split()) <= max(31, len(run) if len(run) < 64 else 0)
    assert all(a == b or (a == " " and not b.isalnum()) for a, b in zip(prepared.text, text))  # spaces for symbols
    assert break_symbol_runs("Data Scientist") == "Data Scientist"
    title = clean_title("ML Engineer " + run[:9_000])
    assert title is not None and max(len(w) for w in title.split()) <= max(31, len(run) if len(run) < 64 else 0)


def test_a_bar_joining_two_words_is_read_as_a_space():
    """Some job-board exports join every line with '|' ("Job Description|We are looking..."), and lists of tools
    come as "Python|SQL|Docker": the words are words again; offsets hold."""
    from rolematch.extract import Extractor

    text = "Job Description|We are looking for a data scientist.|Skills: Python|SQL|Docker | Kubernetes"
    prepared = prepare(text)
    assert prepared.text == ("Job Description We are looking for a data scientist.|Skills: Python SQL Docker | "
                             "Kubernetes") and prepared.source == text  # only a bar between two word characters
    report = Extractor().extract(text, lang="en")
    assert {"python", "sql", "docker", "kubernetes"} <= {m.id for m in report.matches}
    assert all(text[m.start:m.end] == m.text for m in report.matches)
