"""Tracing a pipeline's output columns back to the original features, and the codec that
lets shap's numeric maskers hide columns of any type."""

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from bastion.explain.columns import Codec, output_sources
from tests.datasets import Split


def test_nested_pipelines_indicators_and_remainder_map_to_their_features(german: Split) -> None:
    X = german.X_train.copy()
    X.loc[X.index[:10], "age"] = np.nan
    prepare = make_column_transformer(
        (make_pipeline(SimpleImputer(add_indicator=True), StandardScaler()), ["age", "duration"]),
        (OneHotEncoder(handle_unknown="ignore"), ["status", "purpose"]),
        remainder=OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
    ).fit(X)
    features = list(X.columns)
    sources = output_sources([prepare], features)
    assert sources is not None
    named = dict(zip(prepare.get_feature_names_out(), (features[s] for s in sources), strict=True))
    assert named["pipeline__age"] == "age"
    assert named["pipeline__missingindicator_age"] == "age"
    assert named["onehotencoder__status_A14"] == "status"
    assert named["onehotencoder__purpose_A410"] == "purpose"
    assert named["remainder__credit_history"] == "credit_history"
    assert sorted(set(named.values())) == sorted(features)


def test_a_mixing_transformer_has_no_mapping(german: Split) -> None:
    X = german.X_train[german.numeric]
    assert output_sources([PCA(n_components=2).fit(X)], list(X.columns)) is None
    assert output_sources([StandardScaler().fit(X)], list(X.columns)) == [0, 1, 2, 3]


def test_the_codec_round_trips_every_kind_of_column() -> None:
    frame = pd.DataFrame(
        {
            "count": np.array([3, 1, 2], dtype=np.int64),
            "rate": [0.5, np.nan, 2.0],
            "flag": [True, False, True],
            "colour": ["red", None, "blue"],
            "size": pd.Categorical(["s", "m", "s"], categories=["s", "m", "l"]),
        }
    )
    codec = Codec(frame)
    matrix = codec.encode(frame)
    assert matrix.dtype == np.float64
    assert np.isnan(matrix[1, 3])  # a missing category is NaN, not a code
    back = codec.decode(matrix)
    pd.testing.assert_frame_equal(back, frame)
