"""Models saved in every supported format load and predict exactly what the original does."""

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bastion.assessment.digests import file_digest
from bastion.assessment.model import LoadedModel
from bastion.model_files import detect_format, load_model, scan_model_file
from tests.model_files.conftest import WRITERS, Trained


@pytest.mark.parametrize("variant", list(WRITERS))
@pytest.mark.parametrize("name", ["tabular", "numeric", "forest"])
def test_loaded_model_predicts_what_the_original_predicts(
    name: str, variant: str, models: dict[str, Trained], saved: Callable[[str, str], Path]
) -> None:
    trained = models[name]
    path = saved(name, variant)

    loaded = load_model(path)

    assert isinstance(loaded, LoadedModel)
    assert loaded.format == ("skops" if variant == "skops" else "pickle")
    assert loaded.sha256 == file_digest(path)
    assert loaded.source == path.name
    np.testing.assert_array_equal(loaded.predict(trained.X), trained.model.predict(trained.X))
    np.testing.assert_array_equal(
        loaded.predict_proba(trained.X), trained.model.predict_proba(trained.X)
    )
    np.testing.assert_array_equal(loaded.classes_, trained.model.classes_)


@pytest.mark.parametrize("variant", list(WRITERS))
def test_scan_of_a_scikit_learn_model_passes_and_describes_the_file(
    variant: str, saved: Callable[[str, str], Path]
) -> None:
    path = saved("forest", variant)

    result = scan_model_file(path)

    assert result.verdict == "pass", result.summary
    assert result.format == detect_format(path)
    assert result.size == path.stat().st_size
    assert result.inputs == {"model": file_digest(path)}
    if variant.startswith("joblib"):
        assert result.details["container"] == "joblib"
        assert result.details["arrays"] > 0
        compression = variant.partition("-")[2] or None
        assert result.details["compression"] == compression
    if variant.startswith("pickle"):
        names = {f.name for f in result.findings}
        assert "sklearn.ensemble._forest.RandomForestClassifier" in names
        assert "sklearn.tree._tree.Tree" in names


def test_old_protocols_load_too(tmp_path: Path, tabular: Trained) -> None:
    # Protocols 0 and 1 have no header and use copyreg._reconstructor and Python 2 names.
    import pickle

    for protocol in (0, 1):
        path = tmp_path / f"model-p{protocol}.pkl"
        path.write_bytes(pickle.dumps(tabular.model, protocol=protocol))
        loaded = load_model(path)
        np.testing.assert_array_equal(
            loaded.predict_proba(tabular.X), tabular.model.predict_proba(tabular.X)
        )


@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_joblib_in_older_protocols(protocol: int, tmp_path: Path, forest: Trained) -> None:
    # Protocols 0-1 write joblib's array records through copyreg._reconstructor.
    import joblib

    path = tmp_path / "forest.joblib"
    joblib.dump(forest.model, path, protocol=protocol, compress=3)
    loaded = load_model(path)
    np.testing.assert_array_equal(
        loaded.predict_proba(forest.X), forest.model.predict_proba(forest.X)
    )


def test_the_suffix_is_ignored(tmp_path: Path, saved: Callable[[str, str], Path]) -> None:
    liar = tmp_path / "model.onnx"
    liar.write_bytes(saved("numeric", "pickle-p5").read_bytes())
    skops_named_pickle = tmp_path / "model.pkl"
    skops_named_pickle.write_bytes(saved("numeric", "skops").read_bytes())

    assert detect_format(liar) == "pickle"
    assert load_model(liar).format == "pickle"
    assert detect_format(skops_named_pickle) == "skops"
    assert scan_model_file(skops_named_pickle).format == "skops"


def test_allow_admits_a_module_prefix_for_a_model_outside_the_defaults(tmp_path: Path) -> None:
    import pickle
    from fractions import Fraction

    path = tmp_path / "fraction.pkl"
    path.write_bytes(pickle.dumps({"threshold": Fraction(1, 3)}))

    assert load_model(path, allow=["fractions."]).native == {"threshold": Fraction(1, 3)}
    assert load_model(path, allow=("fractions.Fraction",)).native["threshold"] == Fraction(1, 3)
