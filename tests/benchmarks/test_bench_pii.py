"""The PII benchmark (``benchmarks/bench_pii.py``): its scoring rules, a small run in the
default test run (Bastion always; Presidio when its virtualenv already exists, since making
it downloads packages), and the full run, which asserts the issue's goals, under
``-m slow``."""

from typing import Any

import pandas as pd
import pytest

from benchmarks import bench_pii, pii_corpus


def sample(text: str, *spans: tuple[int, int, str]) -> pii_corpus.TextSample:
    return pii_corpus.TextSample(text, spans)


def test_a_prediction_counts_when_it_overlaps_a_true_span_of_its_entity() -> None:
    samples = [
        sample("card 4111 1111 1111 1111 ok", (5, 24, "CREDIT_CARD")),
        sample("call 212-736-4501 or 212-736-4502", (5, 17, "PHONE_NUMBER")),
    ]
    predicted = [
        [(5, 14, "CREDIT_CARD"), (15, 24, "CREDIT_CARD"), (5, 24, "US_BANK_NUMBER")],
        [(0, 4, "PHONE_NUMBER"), (21, 33, "PHONE_NUMBER")],
    ]
    counts = bench_pii.score_spans(samples, predicted, ["CREDIT_CARD", "PHONE_NUMBER"])
    card, phone = counts["CREDIT_CARD"], counts["PHONE_NUMBER"]
    # Two partial predictions both overlap the card; the other entity is not compared.
    assert (card.predicted, card.predicted_matched, card.true, card.true_found) == (2, 2, 1, 1)
    assert card.f2 == 1.0
    # Neither phone prediction overlaps the labelled phone number.
    assert (phone.predicted, phone.predicted_matched, phone.true, phone.true_found) == (2, 0, 1, 0)
    assert phone.f2 == 0.0


def test_f2_weights_recall_four_times_precision() -> None:
    c = bench_pii.Counts(predicted=4, predicted_matched=2, true=2, true_found=2)
    assert c.precision == 0.5
    assert c.recall == 1.0
    assert c.f2 == pytest.approx(5 * 0.5 / (4 * 0.5 + 1))


def test_presidio_column_needs_the_most_common_top_entity_on_a_tenth_of_cells() -> None:
    frame = pd.DataFrame({"a": ["x"] * 20, "b": ["x"] * 19 + [None], "c": ["x"] * 20})
    cells = {
        # the top-scoring entity of each cell decides, not any entity found
        "a": [[["US_PASSPORT", 0.05], ["US_SSN", 0.5]]] * 3 + [[]] * 17,
        "b": [[["EMAIL_ADDRESS", 1.0]]] + [[]] * 18 + [[["EMAIL_ADDRESS", 1.0]]],  # 1 of 19
        "c": [[["UUID", 1.0]]] * 20,  # not a compared entity
    }
    columns = bench_pii.presidio_columns(cells, frame, ["US_SSN", "US_PASSPORT", "EMAIL_ADDRESS"])
    assert columns == {"a": "US_SSN", "b": None, "c": None}


def test_column_scores_count_every_column_of_every_table() -> None:
    table = pii_corpus.LabelledTable(
        "t", pd.DataFrame(), {"email": "EMAIL_ADDRESS", "age": None, "x": "EMAIL_ADDRESS"}
    )
    counts = bench_pii.score_columns(
        [table], {"t": {"email": "EMAIL_ADDRESS", "age": "EMAIL_ADDRESS"}}, ["EMAIL_ADDRESS"]
    )
    email = counts["EMAIL_ADDRESS"]
    assert (email.predicted, email.predicted_matched, email.true, email.true_found) == (2, 1, 2, 1)


@pytest.fixture(scope="module")
def smoke() -> dict[str, Any]:
    return bench_pii.run(**bench_pii.SMOKE, repeat=1, presidio="if-present")


def test_pii_benchmark_smoke_bastion(smoke: dict[str, Any]) -> None:
    bastion = smoke["bastion"]
    corpus = pii_corpus.text_corpus(bench_pii.SMOKE["samples"], seed=0)
    for entity, row in bastion["text"].items():
        assert row["true"] == sum(s[2] == entity for c in corpus for s in c.spans), entity
        assert 0 <= row["precision"] <= 1
        assert 0 <= row["recall"] <= 1
    assert set(bastion["text"]) >= set(pii_corpus.ENTITIES)
    # Clean identifier columns (email, phone, card, SSN, IBAN) are classified right.
    assert bastion["throughput_correct"], bastion["throughput_columns"]
    assert bastion["strings_per_second"] > 0
    assert bastion["cells_per_second"] > 0


def test_pii_benchmark_smoke_presidio(smoke: dict[str, Any]) -> None:
    if "presidio" not in smoke:
        pytest.skip(
            f"Presidio's virtualenv is not at {bench_pii.PRESIDIO_VENV}: `make presidio-venv` "
            "or the full benchmark (`make benchmarks`) creates it"
        )
    presidio = smoke["presidio"]
    assert smoke["presidio_version"] == bench_pii.PRESIDIO_REQUIREMENT.split("==")[1]
    # Every entity Presidio's pattern recognizers know is compared; PERSON (NER) is not.
    assert set(smoke["shared_entities"]) == {
        "CREDIT_CARD", "CRYPTO", "DATE_TIME", "EMAIL_ADDRESS", "IBAN_CODE", "IP_ADDRESS",
        "MAC_ADDRESS", "PHONE_NUMBER", "UK_NHS", "UK_NINO", "URL", "US_DRIVER_LICENSE",
        "US_PASSPORT", "US_SSN",
    }  # fmt: skip
    # Offsets survive the trip through the runner: Presidio finds every e-mail address.
    assert presidio["text"]["EMAIL_ADDRESS"]["recall"] == 1.0
    assert presidio["throughput_correct"], presidio["throughput_columns"]
    assert set(smoke["comparison"]["goals"]) == {
        "text_f2", "table_f2", "text_speedup", "table_speedup",
    }  # fmt: skip


@pytest.mark.slow
def test_pii_benchmark_full() -> None:
    result = bench_pii.run(**bench_pii.FULL)
    report = bench_pii.report(result)
    print(report)
    goals = result["comparison"]["goals"]
    assert all(goals.values()), report
