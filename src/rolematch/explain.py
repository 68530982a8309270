"""Evidence: which terms and rule matches pushed a posting toward each class.

A posting's score for class k is a sum over its weighted features of
``x_j * W[k, j]``. rolematch maps the hashed columns back to what produced
them in this posting -- words (with their character n-grams), word pairs,
title words and rule matches (with character offsets) -- and reports the top
contributors per class, measured against the average class so that the
numbers read as "toward this class rather than the others". After them come
the sentences the sentence expert found most telling for the class (kind
``sentence``, with their offsets).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Callable

import numpy as np

from rolematch.features import (_BIGRAM_MUL, _TITLE_SALT, Analysed, _token_arrays, in_spans, lower_words,
                                rule_feature_names)
from rolematch.mentions import mention_keys
from rolematch.results import Contribution
from rolematch.segments import BULLETS, segment_starts, token_segments

if TYPE_CHECKING:
    from rolematch.csr import CSR
    from rolematch.model import RoleClassifier


def explain(model: "RoleClassifier", item: Analysed, counts: "CSR", top: int = 8,
            to_source: Callable[[int, int], tuple[int, int]] | None = None) -> dict[str, list[Contribution]]:
    """Top contributions per class for one posting; ``counts`` is its raw count row.

    ``to_source`` maps a span of the posting's prepared text to the input text (where rule
    matches already are), for the role mentions' spans.
    """
    fz = model._get_featurizer()
    space = fz.space
    sp_word, _, sp_title, _, _ = space.sizes
    off_word, _, off_title, _, _ = space.offsets
    # (name, kind) -> {column: share}, for the title words, rules and mentions (a few dozen per posting)
    owners: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    spans_of: dict[str, list[tuple[int, int]]] = defaultdict(list)
    # the body's words (their own columns and character n-grams) and word pairs as flat (owner, column, share)
    # arrays -- thousands per posting; a pair's name is only spelled out if it makes the top
    body_owner, body_cols, body_shares = (np.zeros(0, dtype=np.int64),) * 2 + (np.zeros(0),)
    words: list[str] = []
    pair_words: list[tuple[int, int]] = []  # each word pair's (first, second) LOWER hashes
    strings: dict[int, str] = {}

    skipped = fz.skipped_spans(item)
    lowers, starts, lengths = fz.kept_tokens(item.doc, skipped)
    if len(lowers):
        strings = lower_words(item.text, lowers, starts, lengths)  # the doc's text (a Doc rebuilds it per call)
        uniq, freq = np.unique(lowers, return_counts=True)
        words = [strings[h] for h in uniq.tolist()]
        grams = fz.char_columns(uniq, words)
        sizes = np.fromiter((len(g) for g in grams), dtype=np.int64, count=len(grams))
        char_cols = np.concatenate(grams) if grams else np.zeros(0, dtype=np.int64)
        char_freq = np.repeat(freq, sizes).astype(np.float64)
        # an n-gram shared by several words (or repeated in one) is split by how often each occurrence is seen
        _, at = np.unique(char_cols, return_inverse=True)
        mass = np.bincount(at, weights=char_freq)
        n_words = len(words)
        pairs = lowers[:-1] * _BIGRAM_MUL + lowers[1:]
        first = np.sort(np.unique(pairs, return_index=True)[1])  # each distinct pair once, in reading order
        pair_words = list(zip(lowers[first].tolist(), lowers[first + 1].tolist()))
        body_owner = np.concatenate([np.arange(n_words), np.repeat(np.arange(n_words), sizes),
                                     n_words + np.arange(len(first))])
        body_cols = np.concatenate([off_word + (uniq % np.uint64(sp_word)).astype(np.int64), char_cols,
                                    off_word + (pairs[first] % np.uint64(sp_word)).astype(np.int64)])
        body_shares = np.concatenate([np.ones(n_words), char_freq / mass[at], np.ones(len(first))])
    if item.title_doc is not None:
        tl, t_starts, t_lengths = _token_arrays(item.title_doc)
        t_strings = lower_words(item.title_doc.text, tl, t_starts, t_lengths)
        for h in tl.tolist():
            owners[(t_strings[h], "title")][off_title + int((np.uint64(h) ^ _TITLE_SALT) % np.uint64(sp_title))] = 1.0
        if len(tl) > 1:
            t_cols = ((tl[:-1] * _BIGRAM_MUL + tl[1:]) ^ _TITLE_SALT) % np.uint64(sp_title)
            for a, b, col in zip(tl[:-1].tolist(), tl[1:].tolist(), t_cols.tolist()):
                owners[(f"{t_strings[a]} {t_strings[b]}", "title")][off_title + int(col)] = 1.0
    kept = [m for m in item.matches if not in_spans(m.start, skipped)]
    key_users: dict[str, int] = defaultdict(int)
    for m in kept:
        for k in rule_feature_names([m]):
            key_users[k] += 1
    for m in kept:
        spans_of[m.id].append((m.start, m.end))
        d = owners[(m.id, "rule")]
        for k in rule_feature_names([m]):
            col = fz.rule_column(k)
            d[col] = d.get(col, 0.0) + 1.0 / key_users[k]

    kept_mentions = [mn for mn in item.mentions if not in_spans(mn.start, skipped)]
    mention_users: dict[str, int] = defaultdict(int)
    for k in mention_keys(kept_mentions, len(item.text)):
        mention_users[k] += 1
    for mn in kept_mentions:
        name = f"{'this role' if mn.own else 'colleague'}: {' '.join(item.text[mn.start:mn.end].split())}"
        spans_of[name].append(to_source(mn.start, mn.end) if to_source is not None else (mn.start, mn.end))
        d = owners[(name, "mention")]
        for k in mention_keys([mn], len(item.text)):
            col = fz.mention_column(k)
            d[col] = d.get(col, 0.0) + 1.0 / max(1, mention_users[k])

    # every (owner, column, share) as flat arrays: a class's contributions are then one product and one bincount
    keys = list(owners)
    n_body = len(words) + len(pair_words)
    per_key = [len(owners[k]) for k in keys]
    n_cols = int(sum(per_key))
    owner = np.concatenate([body_owner, n_body + np.repeat(np.arange(len(keys)), per_key)])
    cols = np.concatenate([body_cols, np.fromiter((c for k in keys for c in owners[k]), dtype=np.int64, count=n_cols)])
    shares = np.concatenate([body_shares, np.fromiter((v for k in keys for v in owners[k].values()),
                                                      dtype=np.float64, count=n_cols)])

    def owner_key(i: int) -> tuple[str, str]:
        if i < len(words):
            return words[i], "term"
        if i < n_body:
            a, b = pair_words[i - len(words)]
            return f"{strings[a]} {strings[b]}", "term"
        return keys[i - n_body]

    out: dict[str, list[Contribution]] = {}
    weighted: dict[tuple[float, ...], np.ndarray] = {}  # the posting's weighted values at ``cols``, per block weighting
    for cls, (weights, blocks) in model.class_weights().items():
        xv = weighted.get(tuple(blocks))
        if xv is None:
            x = model._weight(counts, blocks)  # one row: sorted, unique columns
            at = np.minimum(np.searchsorted(x.indices, cols), max(len(x.indices) - 1, 0))
            xv = np.where(x.indices[at] == cols, x.data[at], 0.0) if len(x.indices) else np.zeros(len(cols))
            weighted[tuple(blocks)] = xv
        totals = np.bincount(owner, weights=xv * shares * weights[cols], minlength=n_body + len(keys))
        positive = np.flatnonzero(totals > 0)
        contribs = []
        for i in positive[np.argsort(-totals[positive], kind="stable")][:top].tolist():
            name, kind = owner_key(i)
            spans = tuple(sorted(set(spans_of[name]))) if kind in ("rule", "mention") else ()
            contribs.append(Contribution(name, float(totals[i]), kind, spans))
        out[cls] = contribs
    for cls, found in sentence_evidence(model, item, to_source).items():
        out[cls] = out.get(cls, []) + found
    return {str(c): out[str(c)] for c in model.classes_}


# what a bullet puts before a segment's words: a dash, star, glyph, "1." / "2)" / "a)" / "o"
_LEAD = re.compile(r"[\s\-*+\u2013\u2014\u00b7" + BULLETS + r"]*(?:(?:\d{1,2}[.)]|[a-z]\)|o)\s+)?")


def sentence_evidence(model: "RoleClassifier", item: Analysed, to_source: Callable[[int, int], tuple[int, int]] | None,
                      top: int = 2, chars: int = 160) -> dict[str, list[Contribution]]:
    """Per class, the segments (sentences, lines, bullet items) the sentence expert found most telling.

    A segment's weight is its share of the fused score toward the class rather
    than the average class: ``sentence_weight * (log p_seg(class) - mean log p_seg) / segments``.
    Empty when the model has no sentence expert.
    """
    expert = model._sentence_expert()
    if expert is None:
        return {}
    fz = model._get_featurizer()
    seg_counts, _ = fz.transform_segments([item])
    n = seg_counts.shape[0]
    if not n:
        return {}
    _, starts, _ = fz.kept_tokens(item.doc, fz.skipped_spans(item))
    text = item.text
    seg = token_segments(text, starts)
    bounds = np.append(segment_starts(text), len(text))
    raw = np.searchsorted(bounds, starts, side="right") - 1  # each token's segment before the short ones are left out
    first_raw = np.zeros(n, dtype=np.int64)
    first_raw[seg[::-1][seg[::-1] >= 0]] = raw[::-1][seg[::-1] >= 0]  # each segment's first raw segment
    last_raw = np.zeros(n, dtype=np.int64)
    last_raw[seg[seg >= 0]] = raw[seg >= 0]
    log_p = np.log(np.clip(expert.proba_from_counts(seg_counts), 1e-12, None))
    toward = model.sentence_weight * (log_p - log_p.mean(axis=1, keepdims=True)) / n
    out: dict[str, list[Contribution]] = {}
    for j, cls in enumerate(expert.classes_):
        found = []
        for i in np.argsort(-toward[:, j], kind="stable")[:top].tolist():
            if toward[i, j] <= 0:
                break
            a, b = int(bounds[first_raw[i]]), int(bounds[last_raw[i] + 1])
            a, b = a + _LEAD.match(text, a, b).end() - a, a + len(text[a:b].rstrip())  # type: ignore[union-attr]
            words = " ".join(text[a:b].split())
            name = words if len(words) <= chars else words[:chars - 1].rstrip() + "\u2026"
            span = to_source(a, b) if to_source is not None else (a, b)
            found.append(Contribution(name, float(toward[i, j]), "sentence", (span,)))
        out[str(cls)] = found
    return out
