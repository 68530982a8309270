"""Build-time compiled regexes: the same patterns as re.compile, used only when they fit."""

from __future__ import annotations

import re

import pytest
import srsly

from rolematch import precompiled
from rolematch.pipelines import _REGEXES, _blank, prepared_path, regex_path

needs_cpython_re = pytest.mark.skipif(precompiled._sre is None, reason="regex code storage needs CPython 3.11+'s re")

SAMPLES = [
    "Ph.D. in Computer Science, U.S. citizenship (3+ yrs); e.g. PyTorch/TensorFlow, don't worry!",
    "l'entraînement des modèles d'IA, peut-être aujourd'hui : états-unis, rendez-vous à 14h30.",
    "https://example.com/jobs?id=3&x=y -- jobs@example.com 10k€/an «guillemets» 50%",
    "a-t-elle c’est-à-dire qu’il porte-monnaie ---- ... !!! ¿qué? 1,000.50 $5 #hashtag @user 🙂",
]


def _tokenizer_patterns(lang: str) -> dict[str, str]:
    data = srsly.msgpack_loads(prepared_path(lang).read_bytes())
    return {name: data[name] for name in _REGEXES if isinstance(data.get(name), str)}


def _behaviour(p: re.Pattern[str]) -> list[object]:
    out: list[object] = []
    for text in SAMPLES:
        for piece in [text, *text.split()]:
            m, s = p.match(piece), p.search(piece)
            out += [m and m.span(), s and s.span(), [f.span() for f in p.finditer(piece)]]
    return out


@needs_cpython_re
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_code_round_trip_behaves_like_re_compile(lang):
    for pattern in _tokenizer_patterns(lang).values():
        ref = re.compile(pattern)
        got = precompiled.from_code(precompiled.compile_code(pattern))
        assert (got.pattern, got.flags, got.groups, got.groupindex) == (ref.pattern, ref.flags, ref.groups,
                                                                          ref.groupindex)
        assert _behaviour(got) == _behaviour(ref)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_shipped_files_cover_the_prepared_tokenizers(lang):
    """The file for this interpreter (when one ships) holds every regex of the prepared tokenizer: not stale."""
    path = regex_path(lang)
    if not path.is_file():
        pytest.skip(f"no regexes compiled for {precompiled.tag()} (the wheel was built with another Python)")
    compiler = precompiled.Compiler(path)
    patterns = _tokenizer_patterns(lang)
    assert set(compiler.entries) == set(patterns.values()), "run `rolematch rules compile`"
    for pattern in patterns.values():
        compiler(pattern)
    assert compiler.used == len(patterns)


@needs_cpython_re
def test_foreign_stale_or_damaged_files_fall_back_to_re_compile(tmp_path):
    pattern = r"(?i)^(?:[a-z]+[-–](?:[a-z]+))$"
    good = tmp_path / "good.bin"
    precompiled.write(good, [pattern])
    assert precompiled.Compiler(good)(pattern).match("state-of") and precompiled.Compiler(good).entries

    data = srsly.msgpack_loads(good.read_bytes())
    foreign = tmp_path / "foreign.bin"
    foreign.write_bytes(srsly.msgpack_dumps({**data, "tag": "cpython27-sre0"}))
    damaged = tmp_path / "damaged.bin"
    entry = dict(data["regexes"][0], code=b"\xff\xff\xff\xff" * 8)
    damaged.write_bytes(srsly.msgpack_dumps({**data, "regexes": [entry]}))
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00not msgpack")
    for path in (foreign, damaged, garbage, tmp_path / "missing.bin"):
        compiler = precompiled.Compiler(path)
        got = compiler(pattern)
        assert got.match("state-of") and not got.match("state of")
        assert compiler.used == 0, path.name
    assert precompiled.Compiler(good)(r"\d+").match("12")  # a pattern the file does not hold


def test_prepared_pipeline_tokenizes_like_spacy_without_precompiled_regexes(monkeypatch):
    """The fallback path (no usable file) gives the same tokens as the precompiled one."""
    fast = {lang: _blank(lang) for lang in ("en", "fr")}
    monkeypatch.setattr("rolematch.pipelines.regex_path", lambda lang: prepared_path(lang).with_suffix(".none"))
    for lang in ("en", "fr"):
        slow = _blank(lang)
        for text in SAMPLES:
            assert [t.text for t in fast[lang](text)] == [t.text for t in slow(text)]
