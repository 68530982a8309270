"""Feature matrix assembly and the numpy sparse rows scoring runs on (checked against scipy)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from rolematch.csr import CSR


def _entries(seed: int, rows: int = 7, cols: int = 50, n: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    r = rng.integers(0, rows, n)
    r[r == 3] = 4  # row 3 stays empty
    return r, rng.integers(0, cols, n), rng.integers(1, 4, n).astype(np.float64)


@pytest.mark.parametrize("values", ["counts", "fractions", "negative", "large", "huge_shape"])
def test_from_entries_sums_repeated_positions_like_scipy(values):
    """Whole counts take the packed-sort path; anything else (or a shape too wide to pack) the general one."""
    r, c, v = _entries(0)
    if values == "fractions":
        v = v / 3
    elif values == "negative":
        v = v - 2.0
    elif values == "large":
        v = v * 70_000
    elif values == "huge_shape":
        c = c * (1 << 40)
        mine = CSR.from_entries(r, c, v, (7, 50 << 40))
        assert mine.nnz == sp.csr_matrix((v, (r, c // (1 << 40))), shape=(7, 50)).nnz
        return
    mine = CSR.from_entries(r, c, v, (7, 50))
    ref = sp.csr_matrix((v, (r, c)), shape=(7, 50))  # scipy sums duplicates too
    ref.sum_duplicates()
    np.testing.assert_allclose(mine.toarray(), ref.toarray(), rtol=1e-12)  # fractions: summation order
    assert mine.nnz == ref.nnz and mine.indptr[4] == mine.indptr[3]  # the empty row
    for i in range(7):  # sorted, unique columns per row
        row = mine.indices[mine.indptr[i]:mine.indptr[i + 1]]
        assert list(row) == sorted(set(row.tolist()))
    np.testing.assert_allclose(mine.to_scipy().toarray(), ref.toarray(), rtol=1e-12)


@pytest.mark.parametrize("rows", [slice(0, 7), slice(2, 5), slice(3, 4), slice(6, 9), slice(5, 2)])
def test_row_slices_match_scipy(rows):
    r, c, v = _entries(1)
    mine, ref = CSR.from_entries(r, c, v, (7, 50)), sp.csr_matrix((v, (r, c)), shape=(7, 50))
    np.testing.assert_array_equal(mine[rows].toarray(), ref[rows].toarray())
    assert mine[rows].shape == ref[rows].shape


def test_row_sums_give_the_product_with_a_dense_matrix_including_empty_rows():
    """What scoring does: gather each stored value's weights, scale, sum within rows == scipy's product."""
    r, c, v = _entries(2)
    mine, ref = CSR.from_entries(r, c, v, (7, 50)), sp.csr_matrix((v, (r, c)), shape=(7, 50))
    dense = np.random.default_rng(3).normal(size=(50, 4)).astype(np.float32)
    got = mine.row_sums(np.take(dense, mine.indices, axis=0) * mine.data.astype(np.float32)[:, None])
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref.astype(np.float32) @ dense, rtol=1e-5, atol=1e-6)
    assert not got[3].any()
    empty = CSR.empty((2, 50))
    np.testing.assert_array_equal(empty.row_sums(np.zeros((0, 4), dtype=np.float32)), np.zeros((2, 4), dtype=np.float32))


def test_transform_counts_match_a_scipy_reference(extractor):
    """Word, word-pair and character n-gram counts equal a plain scipy construction of the same features."""
    from rolematch.features import _BIGRAM_MUL, Analysed, Featurizer, FeatureSpace, _GramTable

    space = FeatureSpace(word_bits=10, char_bits=10, title_bits=6, rule_bits=6, mention_bits=4)
    fz = Featurizer(space, boilerplate=False)
    texts = ["Deploy models, deploy models again: banana bandana.", "", "Données et modèles; données!",
             "one", "Python SQL Python SQL Python"]
    items = []
    for t in texts:
        doc = extractor.nlp("en").make_doc(t)
        items.append(Analysed(doc=doc, text=t, matches=(), title=None, title_doc=None, lang="en"))
    got = fz.transform(items)
    rows, cols = [], []
    for i, item in enumerate(items):
        lowers = fz.kept_tokens(item.doc, [])[0]
        for h in lowers.tolist():
            rows.append(i)
            cols.append(space.offsets[0] + h % space.sizes[0])
            grams = fz._char_ids(item.doc.vocab.strings[h]) + space.offsets[1]  # computed directly
            rows.extend([i] * len(grams))
            cols.extend(grams.tolist())
        pairs = lowers[:-1] * _BIGRAM_MUL + lowers[1:]  # wraps around in uint64, as in the featurizer
        for pair in (pairs % np.uint64(space.sizes[0])).tolist():
            rows.append(i)
            cols.append(space.offsets[0] + pair)
    ref = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(items), space.n_features))
    assert got.shape == ref.shape
    np.testing.assert_array_equal(got.toarray(), ref.toarray())
    assert got.indptr[2] == got.indptr[1]  # the empty posting has an empty row
    # the n-gram table gives the same columns warm, and when it is full and starts afresh
    np.testing.assert_array_equal(fz.transform(items).toarray(), ref.toarray())
    fz._grams = _GramTable(limit=4)  # fewer than one batch's words: every batch starts it afresh
    for _ in range(2):
        np.testing.assert_array_equal(fz.transform(items[::-1]).toarray(), ref.toarray()[::-1])
        keys = fz._grams.keys
        assert fz._grams.n_slots == len(keys) and np.all(keys[1:] > keys[:-1])  # started afresh, sorted


def test_gram_table_keeps_wide_ids_and_finds_words_in_any_order():
    from rolematch.features import _GramTable

    table = _GramTable(limit=100, bits=40)  # ids past 2**31 need 64 bits
    made = []

    def make(missing):
        made.extend(missing.tolist())
        return [np.arange(int(i) + 1, dtype=np.int64) + 2**35 for i in missing]

    first = table.slots(np.array([3, 7, 11], dtype=np.uint64), make)
    again = table.slots(np.array([1, 7, 11, 20], dtype=np.uint64), make)
    assert made == [0, 1, 2, 0, 3]  # only unknown words are made, by their index in each call
    assert again[1:3].tolist() == first[1:3].tolist()
    slot = int(again[3])
    assert table.flat[table.start[slot]:table.start[slot] + table.count[slot]].tolist() == [2**35 + k for k in range(4)]


def test_take_and_vstack_match_scipy():
    r, c, v = _entries(4)
    mine, ref = CSR.from_entries(r, c, v, (7, 50)), sp.csr_matrix((v, (r, c)), shape=(7, 50))
    picked = np.array([6, 3, 0, 0, 2])  # any order, repeats, an empty row
    np.testing.assert_array_equal(mine.take(picked).toarray(), ref[picked].toarray())
    assert mine.take(np.zeros(0, dtype=np.int64)).shape == (0, 50)
    parts = [mine[0:2], CSR.empty((0, 50)), mine[2:7]]
    stacked = CSR.vstack(parts, 50)
    np.testing.assert_array_equal(stacked.toarray(), ref.toarray())
    np.testing.assert_array_equal(stacked.indptr, mine.indptr)
    assert CSR.vstack([], 50).shape == (0, 50)


def test_segments_are_lines_bullets_and_sentences_of_three_words_or_more():
    from rolematch.segments import segment_starts, token_segments

    text = "Skills\n• Build and ship models. Own the pipeline; test it!\nPython\n  Work with scientists daily"
    starts = segment_starts(text)
    pieces = [text[a:b].strip() for a, b in zip(starts, list(starts[1:]) + [len(text)])]
    assert pieces == ["Skills", "•", "Build and ship models.", "Own the pipeline;", "test it!", "Python",
                      "Work with scientists daily"]
    words = [(m.start(), m.group()) for m in __import__("re").finditer(r"\w+", text)]
    seg = token_segments(text, np.array([a for a, _ in words]))
    got: dict[int, list[str]] = {}
    for (_, w), s in zip(words, seg.tolist()):
        got.setdefault(s, []).append(w)
    assert got == {-1: ["Skills", "test", "it", "Python"], 0: ["Build", "and", "ship", "models"],
                   1: ["Own", "the", "pipeline"], 2: ["Work", "with", "scientists", "daily"]}
    # nothing long enough: the whole text is one segment; no tokens, no segment
    assert token_segments("Python. SQL.", np.array([0, 8])).tolist() == [0, 0]
    assert token_segments("", np.zeros(0, dtype=np.int64)).tolist() == []


def test_segment_counts_are_the_words_and_pairs_of_each_segment(extractor):
    """transform_both: the posting rows equal transform's; segment rows hold words and in-segment pairs only."""
    from rolematch.features import _BIGRAM_MUL, Analysed, Featurizer, FeatureSpace

    space = FeatureSpace(word_bits=10, char_bits=10, title_bits=6, rule_bits=6, mention_bits=4)
    fz = Featurizer(space, boilerplate=False)
    texts = ["Deploy models to production. Monitor the models daily.\nOK", "", "Données et modèles; données!"]
    items = [Analysed(doc=extractor.nlp("en").make_doc(t), text=t, matches=(), title=None, title_doc=None,
                      lang="en") for t in texts]
    counts, seg, seg_doc = fz.transform_both(items)
    np.testing.assert_array_equal(counts.toarray(), fz.transform(items).toarray())
    assert seg_doc.tolist() == [0, 0, 2]  # "OK" is too short; the empty posting has none
    expected = [["deploy", "models", "to", "production"], ["monitor", "the", "models", "daily"],
                ["données", "et", "modèles"]]
    rows, cols = [], []
    for i, words in enumerate(expected):
        h = np.array([items[0].doc.vocab.strings.add(w) for w in words], dtype=np.uint64)
        for col in (h % np.uint64(space.sizes[0])).tolist() + ((h[:-1] * _BIGRAM_MUL + h[1:]) % np.uint64(space.sizes[0])).tolist():
            rows.append(i)
            cols.append(space.offsets[0] + col)
    ref = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(3, space.n_features))
    np.testing.assert_array_equal(seg.toarray(), ref.toarray())


def test_bullet_glyphs_start_segments_and_are_left_out_of_sentence_evidence(model):
    from rolematch.segments import segment_starts

    text = "Missions ➢ Construire des modèles de prévision ■ Déployer les modèles en production"
    starts = segment_starts(text).tolist()
    assert [text[a:b].strip() for a, b in zip(starts, starts[1:] + [len(text)])] == [
        "Missions ➢", "Construire des modèles de prévision ■", "Déployer les modèles en production"]
    posting = ("Data Scientist (H/F)\n\nVos missions :\n➢ Construire des modèles de prévision de la demande avec "
               "Python et scikit-learn.\n1) Analyser les ventes et présenter les résultats aux équipes métier.\n"
               "✓ Mettre en place des tests statistiques sur les campagnes marketing.\n")
    res = model.classify(posting)
    sentences = [c for cs in res.evidence.values() for c in cs if c.kind == "sentence"]
    assert sentences
    for c in sentences:
        (a, b), = c.spans
        assert posting[a:b] == c.feature and c.feature[0].isalpha(), c.feature


def test_run_on_text_loses_only_the_words_around_a_boilerplate_cue():
    """A posting with no line or sentence break is not all boilerplate because it mentions a 401(k)."""
    from rolematch.boilerplate import boilerplate_spans

    body = " ".join(f"you will deploy models and build pipelines for team {i} with python and kubernetes"
                    for i in range(30))
    text = body + " benefits include a 401(k) match and equal opportunity employer statement " + body
    spans = boilerplate_spans(text)
    skipped = sum(e - s for s, e in spans)
    assert 0 < skipped <= 400, spans
    cue = text.index("401(k)")
    assert any(s <= cue < e for s, e in spans)
