"""Format-preserving tokenization with FF3-1 (NIST SP 800-38G Rev. 1 draft), through the
``ff3`` library: a token has the value's length, its digits where it had digits, its
letters (of the same case) where it had letters, and every other character in place.
Whoever holds the keys can reverse it (:func:`detokenize`).

Only ASCII letters and digits are encrypted. A value made of one class (all digits, all
lower-case or all upper-case letters) is one FF3-1 message in that alphabet. A value that
mixes classes (``AB123456``, ``John Smith``) is read as one number in mixed radix — 10 at
each digit, 26 at each letter — and encrypted with FF3-1 over decimal strings by cycle
walking (Black and Rogaway, "Ciphers with Arbitrary Finite Domains", CT-RSA 2002):
encrypt again until the result falls inside the value's own domain, which keeps the map a
permutation of that domain.

FF3-1 needs a domain of at least one million values (6 digits, 5 letters, or a mix worth
as much). Shorter values are **refused** rather than padded: padding would change the
length the format promises, and a small domain can be enumerated by anyone who can
query the tokenizer. Values with no letter or digit are returned unchanged (there is
nothing to hide in them that the kept separators do not already show).
"""

from __future__ import annotations

import logging
import math
import string
from typing import overload

import pandas as pd
from ff3 import FF3Cipher  # type: ignore[import-untyped]

from bastion.anonymize.errors import TokenizeError
from bastion.anonymize.keys import Keys
from bastion.anonymize.values import Where, map_distinct

__all__ = ["MIN_DOMAIN", "Tokenizer", "detokenize", "tokenize"]

# ff3 logs the tweak (derived from the caller's key material) at DEBUG on every call; a
# platform running at DEBUG must not write it to its logs, so its logger stops at WARNING.
logging.getLogger("ff3").setLevel(logging.WARNING)

MIN_DOMAIN = 1_000_000
"""FF3-1's minimum domain size (radix ** length), as the ff3 library enforces it."""

_MAX_DECIMAL_DIGITS = 56  # ff3: 2 * floor(96 / log2(10)), the longest radix-10 message
_ALPHABETS = (string.digits, string.ascii_lowercase, string.ascii_uppercase)
Values = pd.Series | list[str | None] | tuple[str | None, ...]
"""A column of values: a Series, or a list or tuple of strings (``None`` for missing)."""

_ALPHABET_OF = {ch: alphabet for alphabet in _ALPHABETS for ch in alphabet}


class Tokenizer:
    """FF3-1 tokenization of single values under one set of keys.

    The ciphers are built once; :meth:`tokenize` and :meth:`detokenize` are inverse
    permutations of each value's format.
    """

    def __init__(self, keys: Keys) -> None:
        key, tweak = keys.ff3_key.hex(), keys.ff3_tweak.hex()
        self._ciphers: dict[str, FF3Cipher] = {
            string.digits: FF3Cipher(key, tweak, 10),
            string.ascii_lowercase: FF3Cipher.withCustomAlphabet(
                key, tweak, string.ascii_lowercase
            ),
            string.ascii_uppercase: FF3Cipher.withCustomAlphabet(
                key, tweak, string.ascii_uppercase
            ),
        }

    def tokenize(self, value: str) -> str:
        """The token of ``value``: same length, same character classes, separators kept.

        Raises
        ------
        TokenizeError
            If the value's letters and digits make fewer than a million possible values,
            or more than FF3-1 can encrypt at once (the message never repeats the value).
        """
        return self._transform(value, forward=True)

    def detokenize(self, token: str) -> str:
        """The value whose token is ``token`` (the inverse of :meth:`tokenize`)."""
        return self._transform(token, forward=False)

    def _transform(self, value: str, *, forward: bool) -> str:
        chars = list(value)
        positions = [i for i, ch in enumerate(chars) if ch in _ALPHABET_OF]
        if not positions:
            return value
        alphabets = [_ALPHABET_OF[chars[i]] for i in positions]
        text = "".join(chars[i] for i in positions)
        if all(a is alphabets[0] for a in alphabets):
            out = self._uniform(text, alphabets[0], forward)
        else:
            out = self._mixed(text, alphabets, forward)
        for i, ch in zip(positions, out, strict=True):
            chars[i] = ch
        return "".join(chars)

    def _uniform(self, text: str, alphabet: str, forward: bool) -> str:
        cipher = self._ciphers[alphabet]
        n = len(text)
        if n < cipher.minLen:
            raise _too_short(n, len(alphabet) ** n)
        if n > cipher.maxLen:
            raise _too_long(n)
        result: str = cipher.encrypt(text) if forward else cipher.decrypt(text)
        return result

    def _mixed(self, text: str, alphabets: list[str], forward: bool) -> str:
        domain = math.prod(len(a) for a in alphabets)
        if domain < MIN_DOMAIN:
            raise _too_short(len(text), domain)
        width = len(str(domain - 1))
        if width > _MAX_DECIMAL_DIGITS:
            raise _too_long(len(text))
        number = 0
        for ch, alphabet in zip(text, alphabets, strict=True):
            number = number * len(alphabet) + alphabet.index(ch)
        cipher = self._ciphers[string.digits]
        step = cipher.encrypt if forward else cipher.decrypt
        # Cycle walking: the decimal domain is under ten times the value's domain, so a
        # few steps on average; it ends because x's cycle under the permutation returns
        # to x, which is inside the domain.
        while True:
            number = int(step(str(number).zfill(width)))
            if number < domain:
                break
        out = []
        for alphabet in reversed(alphabets):
            number, digit = divmod(number, len(alphabet))
            out.append(alphabet[digit])
        return "".join(reversed(out))


def _too_short(n: int, domain: int) -> TokenizeError:
    return TokenizeError(
        f"too short to tokenize: {n} letters and digits make {domain:,} possible values, "
        f"and FF3-1 needs at least {MIN_DOMAIN:,} (6 digits, 5 letters, or a mix worth as "
        "much); generalize, mask or pseudonymize such values instead",
        field="tokenize",
    )


def _too_long(n: int) -> TokenizeError:
    return TokenizeError(
        f"too long to tokenize: {n} letters and digits; FF3-1 encrypts at most "
        f"{_MAX_DECIMAL_DIGITS} digits, 40 letters of one case, or a mix with at most "
        f"10^{_MAX_DECIMAL_DIGITS} possible values; pseudonymize such values instead",
        field="tokenize",
    )


@overload
def tokenize(values: str, *, keys: Keys) -> str: ...
@overload
def tokenize(values: Values, *, keys: Keys) -> pd.Series: ...
def tokenize(values: str | Values, *, keys: Keys) -> str | pd.Series:
    """Tokenize one value, or a column of values (missing values stay missing).

    Raises
    ------
    TokenizeError
        If a value is too short or too long for FF3-1 (see the module's notes).
    """
    tokenizer = Tokenizer(keys)
    if isinstance(values, str):
        return tokenizer.tokenize(values)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    return map_distinct(series, tokenizer.tokenize, Where.of(series))


@overload
def detokenize(values: str, *, keys: Keys) -> str: ...
@overload
def detokenize(values: Values, *, keys: Keys) -> pd.Series: ...
def detokenize(values: str | Values, *, keys: Keys) -> str | pd.Series:
    """The original values of tokens made by ``tokenize`` with the same keys.

    Holding the keys is what authorizes a caller to reverse tokens: the platform keeps
    them apart from the tokenized data and hands them only to principals allowed to
    re-identify.
    """
    tokenizer = Tokenizer(keys)
    if isinstance(values, str):
        return tokenizer.detokenize(values)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    return map_distinct(series, tokenizer.detokenize, Where.of(series))
