"""The walk-through uploads a real model file: give its server the default upload limit
rather than the 1 MiB the other tests use to exercise the limit cheaply."""

import pytest

from bastion.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_upload_bytes": Settings().max_upload_bytes})
