"""From a spec and a table's columns to the rule each column gets, and the engine that
applies those rules batch after batch while counting what it changed.

The plan is fixed by the first batch, so every batch of a file is treated alike: the same
rule per column, the same keys, row numbers that run on across batches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from bastion.anonymize.errors import AnonymizationError, KeyMaterialError, SpecError
from bastion.anonymize.generalize import generalize
from bastion.anonymize.keys import Keys
from bastion.anonymize.operators import (
    condition_holds,
    mask,
    pseudonymize,
    redact,
    replace,
    tokenize_column,
)
from bastion.anonymize.report import AnonymizationReport, ColumnReport
from bastion.anonymize.spec import (
    DropRule,
    GeneralizeRule,
    KeepRule,
    MaskRule,
    PseudonymizeRule,
    ReplaceRule,
    Rule,
    Spec,
    SuppressRule,
)
from bastion.anonymize.tokens import Tokenizer
from bastion.anonymize.values import Where

__all__ = ["ColumnPlan", "Engine", "resolve"]

_KEYED = ("pseudonymize", "tokenize")


@dataclass(frozen=True)
class ColumnPlan:
    """The rule one column gets, and what chose it."""

    column: str
    rule: Rule
    source: Literal["column", "entity", "default"]
    entity: str | None

    @property
    def removes(self) -> bool:
        """Whether the column is left out of the output."""
        rule = self.rule
        return isinstance(rule, DropRule) or (isinstance(rule, SuppressRule) and not rule.when)


def resolve(
    spec: Spec, columns: Sequence[str], column_entities: Mapping[str, str] | None = None
) -> list[ColumnPlan]:
    """Each column's rule: its column rule, else its entity's rule, else the default.

    Raises
    ------
    SpecError
        If the spec names a column the table lacks (and the rule is not ``optional``).
    AnonymizationError
        If ``column_entities`` names a column the table lacks (a scan of another table).
    """
    present = set(columns)
    missing = [
        name for name, rule in spec.columns.items() if name not in present and not rule.optional
    ]
    if missing:
        raise SpecError(
            f"the spec names column(s) the table does not have: "
            f"{', '.join(repr(m) for m in missing)}; the table's columns are "
            f"{', '.join(repr(c) for c in columns)} (mark a rule 'optional: true' if its "
            "column may be absent)",
            field=f"columns.{missing[0]}",
        )
    entities = dict(column_entities or {})
    strangers = [c for c in entities if c not in present]
    if strangers:
        raise AnonymizationError(
            f"column_entities names column(s) the table does not have: "
            f"{', '.join(repr(c) for c in strangers)} — was it computed on another table?",
            field="column_entities",
        )
    plans = []
    for name in columns:
        entity = entities.get(name)
        rule: Rule
        source: Literal["column", "entity", "default"]
        if name in spec.columns:
            rule, source = spec.columns[name], "column"
        elif entity is not None and entity in spec.entities:
            rule, source = spec.entities[entity], "entity"
        else:
            rule = (
                KeepRule(operator="keep") if spec.default == "keep" else DropRule(operator="drop")
            )
            source = "default"
        plans.append(ColumnPlan(name, rule, source, entity))
    return plans


@dataclass
class _Counts:
    values_changed: int = 0
    values_emptied: int = 0
    rows_dropped: int = 0


def _changes(before: pd.Series, after: pd.Series, counts: _Counts) -> None:
    had = before.notna().to_numpy()
    has = after.notna().to_numpy()
    counts.values_emptied += int((had & ~has).sum())
    both = had & has
    if not both.any():
        return
    a, b = before[both], after[both]
    numeric = all(is_numeric_dtype(s) and not is_bool_dtype(s) for s in (a, b))
    if numeric:
        differ = a.to_numpy(dtype=np.float64) != b.to_numpy(dtype=np.float64)
    else:
        differ = a.astype(str).to_numpy() != b.astype(str).to_numpy()
    counts.values_changed += int(np.count_nonzero(differ))


@dataclass
class Engine:
    """Applies a spec to the batches of one table, counting as it goes.

    Built from the first batch's columns; :meth:`apply` takes each batch in order and
    returns its anonymized rows (a new frame: the batch is not modified); :meth:`report`
    gives the report once the last batch is through.

    Raises
    ------
    SpecError, AnonymizationError
        As :func:`resolve` does, and for duplicate column names.
    KeyMaterialError
        If a column is pseudonymized or tokenized and ``keys`` is ``None``.
    """

    spec: Spec
    columns: list[str]
    keys: Keys | None
    column_entities: Mapping[str, str] | None = None
    plans: list[ColumnPlan] = field(init=False)
    rows_in: int = field(init=False, default=0)
    rows_out: int = field(init=False, default=0)
    _counts: dict[str, _Counts] = field(init=False)
    _tokenizer: Tokenizer | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.columns = [str(c) for c in self.columns]
        duplicated = sorted(c for c, n in Counter(self.columns).items() if n > 1)
        if duplicated:
            raise AnonymizationError(
                f"the table has duplicate column names: {', '.join(map(repr, duplicated))}",
                field="data",
            )
        self.plans = resolve(self.spec, self.columns, self.column_entities)
        keyed = [p for p in self.plans if p.rule.operator in _KEYED]
        if keyed and self.keys is None:
            first = keyed[0]
            raise KeyMaterialError(
                f"column {first.column!r} is to be {first.rule.operator}d: pass "
                "keys=Keys.from_file(...) (or from_hex, from_bytes)",
                field="keys",
            )
        self._counts = {p.column: _Counts() for p in self.plans}

    @property
    def output_columns(self) -> list[str]:
        """The columns of the output, in the input's order."""
        return [p.column for p in self.plans if not p.removes]

    def apply(self, batch: pd.DataFrame) -> pd.DataFrame:
        """The anonymized rows of the next batch, suppressed rows left out."""
        first_row = self.rows_in + 1
        batch = self._conform(batch, first_row)
        rows = np.arange(first_row, first_row + len(batch), dtype=np.int64)
        # Conditions are read on the original values, before any operator rewrites them.
        dropped = np.zeros(len(batch), dtype=bool)
        for plan in self.plans:
            if isinstance(plan.rule, SuppressRule) and plan.rule.when is not None:
                hit = condition_holds(batch[plan.column], plan.rule.when, Where(plan.column, rows))
                self._counts[plan.column].rows_dropped += int(np.count_nonzero(hit))
                dropped |= hit
        if dropped.any():
            batch, rows = batch[~dropped], rows[~dropped]
        out: dict[str, pd.Series] = {}
        for plan in self.plans:
            if plan.removes:
                continue
            values = batch[plan.column]
            result = self._one(plan, values, Where(plan.column, rows))
            if result is not values:
                _changes(values, result, self._counts[plan.column])
            out[plan.column] = result
        self.rows_in += len(dropped)
        self.rows_out += len(batch)
        return pd.DataFrame(out, index=batch.index)

    def _conform(self, batch: pd.DataFrame, first_row: int) -> pd.DataFrame:
        names = [str(c) for c in batch.columns]
        if names == self.columns:
            return batch if list(batch.columns) == names else batch.set_axis(names, axis=1)
        known = set(self.columns)
        new = [c for c in names if c not in known]
        if new:
            # JSON Lines records may bring keys the first batch did not have; the output's
            # columns are fixed by then (a CSV header is written once).
            raise AnonymizationError(
                f"column(s) {', '.join(map(repr, new))} first appear at row {first_row:,}, "
                "after the output's columns were fixed by the first rows; give every "
                "record the same keys",
                field="data",
            )
        return batch.set_axis(names, axis=1).reindex(columns=self.columns)

    def _one(self, plan: ColumnPlan, values: pd.Series, where: Where) -> pd.Series:
        rule = plan.rule
        if isinstance(rule, KeepRule | SuppressRule):
            return values
        if rule.operator == "redact":
            return redact(values)
        if isinstance(rule, MaskRule):
            return mask(values, rule, where)
        if isinstance(rule, ReplaceRule):
            label = rule.label
            if label is None:
                label = f"<{plan.entity}>" if plan.entity else f"<{plan.column}>"
            return replace(values, label)
        if isinstance(rule, PseudonymizeRule):
            return pseudonymize(values, rule, self._keys(), where)
        if rule.operator == "tokenize":
            if self._tokenizer is None:
                self._tokenizer = Tokenizer(self._keys())
            return tokenize_column(values, self._tokenizer, where)
        if isinstance(rule, GeneralizeRule):
            return generalize(values, rule, where)
        raise AssertionError(f"no operator {rule.operator!r}")  # the spec admits no other

    def _keys(self) -> Keys:
        if self.keys is None:  # refused in __post_init__ already; kept for direct callers
            raise KeyMaterialError("no keys given", field="keys")
        return self.keys

    def notes(self) -> tuple[str, ...]:
        """Sentences for the report: classified columns kept as they are, keyed output."""
        out = []
        for plan in self.plans:
            if plan.entity and plan.rule.operator == "keep":
                why = "by the spec's default" if plan.source == "default" else "by its rule"
                out.append(
                    f"column {plan.column!r} was classified {plan.entity} and is kept as it "
                    f"is ({why})"
                )
        for operator, can in (("pseudonymize", "linked"), ("tokenize", "reversed")):
            names = [p.column for p in self.plans if p.rule.operator == operator]
            if names:
                out.append(
                    f"{operator}d column(s) {', '.join(map(repr, names))} can be {can} by "
                    "whoever holds the keys: the output is still personal data (GDPR "
                    "Recital 26)"
                )
        return tuple(out)

    def report(
        self,
        *,
        inputs: dict[str, str],
        outputs: dict[str, str],
        settings: dict[str, object] | None = None,
    ) -> AnonymizationReport:
        """The report of everything applied so far."""
        columns = tuple(
            ColumnReport(
                column=p.column,
                operator=p.rule.operator,
                rule=p.source,
                entity=p.entity,
                method=p.rule.method if isinstance(p.rule, GeneralizeRule) else None,
                values_changed=self._counts[p.column].values_changed,
                values_emptied=self._counts[p.column].values_emptied,
                rows_dropped=self._counts[p.column].rows_dropped,
                removed=p.removes,
            )
            for p in self.plans
        )
        return AnonymizationReport(
            columns=columns,
            rows_in=self.rows_in,
            rows_out=self.rows_out,
            spec_digest=self.spec.digest,
            inputs={**inputs, "spec": self.spec.digest},
            outputs=outputs,
            key_id=self.keys.key_id if self.keys is not None else None,
            settings=dict(settings or {}),
            notes=self.notes(),
        )
