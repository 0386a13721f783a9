"""The operators that rewrite one column's values: redact, mask, replace, pseudonymize and
tokenize (generalize lives in :mod:`bastion.anonymize.generalize`), and the conditions
under which ``suppress`` drops a row.

Every operator leaves a missing value missing: there is nothing in it to protect, and
filling it would make an absent value look present. Per-value work runs once per
distinct value (:func:`bastion.anonymize.values.map_distinct`).
"""

from __future__ import annotations

import hmac
import re

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from bastion.anonymize.generalize import numbers
from bastion.anonymize.keys import Keys
from bastion.anonymize.spec import Condition, MaskRule, PseudonymizeRule
from bastion.anonymize.tokens import Tokenizer
from bastion.anonymize.values import Where, map_distinct, text_of

__all__ = [
    "condition_holds",
    "mask",
    "mask_text",
    "pseudonym",
    "pseudonymize",
    "redact",
    "replace",
    "tokenize_column",
]


def redact(values: pd.Series) -> pd.Series:
    """Every value missing (an empty field in CSV), the column's kind of type kept."""
    return values.where(np.zeros(len(values), dtype=bool))


def mask_text(text: str, rule: MaskRule) -> str:
    """``text`` with characters replaced by ``rule.char`` (see :class:`MaskRule`)."""
    chars = list(text)
    if rule.keep_separators:
        eligible = [i for i, ch in enumerate(chars) if ch.isalnum()]
    else:
        eligible = list(range(len(chars)))
    n = len(eligible)
    if n <= rule.keep_first + rule.keep_last:
        hidden = eligible  # keeping that much would show the value whole
    else:
        hidden = eligible[rule.keep_first : n - rule.keep_last]
    for i in hidden:
        chars[i] = rule.char
    return "".join(chars)


def mask(values: pd.Series, rule: MaskRule, where: Where) -> pd.Series:
    """Mask each value's characters but the first/last ones the rule keeps."""
    return map_distinct(values, lambda text: mask_text(text, rule), where)


def replace(values: pd.Series, label: str) -> pd.Series:
    """Every present value replaced by ``label``."""
    out = np.full(len(values), None, dtype=object)
    out[values.notna().to_numpy()] = label
    return pd.Series(out, index=values.index, dtype="str", name=values.name)


def pseudonym(text: str, rule: PseudonymizeRule, key: bytes) -> str:
    """``prefix`` + the first ``length`` hex digits of HMAC-SHA256(key, [namespace NUL] text).

    Plain HMAC-SHA256 of the UTF-8 text (RFC 2104), so a warehouse holding the same key
    computes the same pseudonym in SQL and the tables still join.
    """
    if rule.strip:
        text = text.strip()
    if rule.lowercase:
        text = text.lower()
    message = text.encode("utf-8", errors="surrogatepass")
    if rule.namespace:
        message = rule.namespace.encode("utf-8") + b"\x00" + message
    return rule.prefix + hmac.new(key, message, "sha256").hexdigest()[: rule.length]


def pseudonymize(values: pd.Series, rule: PseudonymizeRule, keys: Keys, where: Where) -> pd.Series:
    """Keyed pseudonyms: the same value and key give the same pseudonym in every batch."""
    key = keys.hmac_key
    return map_distinct(values, lambda text: pseudonym(text, rule, key), where)


def tokenize_column(values: pd.Series, tokenizer: Tokenizer, where: Where) -> pd.Series:
    """FF3-1 tokens, format kept; a value too short or long is an error naming its row."""
    return map_distinct(values, tokenizer.tokenize, where)


def _same_text(values: pd.Series, targets: list[str | int | float | bool]) -> npt.NDArray[np.bool_]:
    present = values.notna().to_numpy()
    numeric = [t for t in targets if isinstance(t, int | float) and not isinstance(t, bool)]
    if is_numeric_dtype(values) and not is_bool_dtype(values) and len(numeric) == len(targets):
        x = values.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.asarray(present & np.isin(x, np.asarray(numeric, dtype=np.float64)), dtype=bool)
    wanted = {text_of(t) for t in targets}
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    hits = np.array([text_of(u) in wanted for u in uniques] + [False], dtype=bool)
    return np.asarray(present & hits[codes], dtype=bool)


def condition_holds(values: pd.Series, when: Condition, where: Where) -> npt.NDArray[np.bool_]:
    """Where ``when`` holds on the column; a missing value meets only ``missing``."""
    present = values.notna().to_numpy()
    if when.missing:
        return ~present
    if when.equals is not None:
        return _same_text(values, [when.equals])
    if when.one_of is not None:
        return _same_text(values, list(when.one_of))
    if when.matches is not None:
        pattern = re.compile(when.matches)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        hits = np.array(
            [pattern.fullmatch(text_of(u)) is not None for u in uniques] + [False], dtype=bool
        )
        return np.asarray(present & hits[codes], dtype=bool)
    x = numbers(values, where)
    with np.errstate(invalid="ignore"):
        if when.above is not None:
            return present & (x > when.above)
        # The Condition model allows no other case: ``below`` is set.
        below = when.below if when.below is not None else -np.inf
        return present & (x < below)
