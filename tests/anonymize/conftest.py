"""Real-shaped data for the anonymization tests: rows of UCI Adult (shared/data) with
generated direct identifiers beside them — names, emails, SSNs, phone numbers, credit
cards, postcodes and dates of birth — from Faker with a fixed seed, so every run sees the
same table.
"""

from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from faker import Faker

from bastion.anonymize import Keys
from tests.datasets import adult_frame

IDENTIFIERS = ["name", "email", "ssn", "phone", "credit_card", "postcode", "date_of_birth"]


@cache
def _people(n: int) -> pd.DataFrame:
    fake = Faker("en_US")
    fake.seed_instance(1994)
    ids = pd.DataFrame(
        {
            "name": [fake.name() for _ in range(n)],
            "email": [fake.email() for _ in range(n)],
            "ssn": [fake.ssn() for _ in range(n)],
            "phone": [fake.phone_number() for _ in range(n)],
            "credit_card": [fake.credit_card_number() for _ in range(n)],
            "postcode": [fake.postcode() for _ in range(n)],
            "date_of_birth": [
                fake.date_of_birth(minimum_age=17, maximum_age=90).isoformat() for _ in range(n)
            ],
        }
    )
    adult = adult_frame().head(n).reset_index(drop=True)
    return pd.concat([ids, adult], axis=1)


def people(n: int = 1200) -> pd.DataFrame:
    """``n`` Adult rows with generated identifiers, as a new frame the caller may change."""
    return _people(n).copy()


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """``frame`` written as CSV, Parquet or JSON Lines by ``path``'s suffix."""
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True)
    return path


def read_table(path: Path) -> pd.DataFrame:
    """A table written by the anonymizer, every value as text for CSV."""
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_json(path, lines=True, dtype=False)


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys.from_bytes(bytes(range(32)))


@pytest.fixture(scope="session")
def other_keys() -> Keys:
    return Keys.from_bytes(bytes(range(100, 132)))
