"""One finding in a string of text: what :func:`bastion.pii.analyze_text` returns."""

from __future__ import annotations

from typing import Any, NamedTuple

from bastion.pii.entities import Likelihood

__all__ = ["Span"]


class Span(NamedTuple):
    """One finding in a string: ``text[start:end]`` is an ``entity``.

    Attributes
    ----------
    start, end : int
        Character offsets (``end`` exclusive), as Presidio reports them.
    entity : str
        One of :data:`bastion.pii.ENTITIES`.
    score : float
        Confidence in [0, 1] (pattern, validation and context; see docs/pii.md).
    likelihood : str
        The score's level: VERY_UNLIKELY … VERY_LIKELY.
    text : str or None
        The matched text, ``None`` when it was not asked for (``include_text=False``).
    subtype : str or None
        What kind of the entity: ``date_of_birth`` for a DATE_TIME with birth context,
        the issuer of a SECRET_TOKEN (``aws_access_key``, ``github_token`` …), ``bitcoin``
        or ``ethereum`` for CRYPTO, ``pem`` for a PRIVATE_KEY.
    """

    start: int
    end: int
    entity: str
    score: float
    likelihood: Likelihood
    text: str | None = None
    subtype: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The span as plain JSON (``text`` and ``subtype`` only when set)."""
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "entity": self.entity,
            "score": round(self.score, 4),
            "likelihood": self.likelihood,
        }
        if self.text is not None:
            out["text"] = self.text
        if self.subtype is not None:
            out["subtype"] = self.subtype
        return out
