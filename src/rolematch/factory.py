"""Registration of the ``rolematch`` spaCy factory (loaded through the ``spacy_factories`` entry point).

The component itself lives in :mod:`rolematch.component`.
"""

from __future__ import annotations

from typing import Optional

from spacy.language import Language

from rolematch.component import RolematchComponent


@Language.factory("rolematch", default_config={"model": None, "rules": [], "spans_key": "rolematch"})
def make_rolematch(nlp: Language, name: str, model: Optional[str], rules: list[str], spans_key: str) -> RolematchComponent:
    """``nlp.add_pipe("rolematch", config={"model": DIR, "rules": [DIR]})``."""
    return RolematchComponent(nlp, name, model=model, rules=rules, spans_key=spans_key)
