"""The gates' tests use the notification tests' HTTP receiver."""

from tests.notify.conftest import receiver  # noqa: F401 - a fixture
