"""The notifier the settings choose, the one that sends nothing, and the receiver code of
docs/notifications.md run against a real delivery."""

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from bastion.errors import InvalidInput
from bastion.notify import (
    DeliveryStats,
    Notifier,
    NullNotifier,
    WebhookNotifier,
    notifier_from_settings,
)
from tests.notify.conftest import SECRET, Receiver

PAGE = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"


@pytest.mark.parametrize("url", [None, ""])
def test_no_url_means_a_null_notifier(url: str | None) -> None:
    notifier: Notifier = notifier_from_settings(url, None)
    assert isinstance(notifier, NullNotifier)
    uuid.UUID(notifier.notify("release_gate.approved", {"gate": "prod"}))
    assert notifier.deliveries == DeliveryStats()
    notifier.close()


def test_the_null_notifier_checks_event_types_too() -> None:
    with pytest.raises(InvalidInput):
        NullNotifier().notify("bad event", {})


def test_a_url_and_a_secret_make_a_webhook_notifier() -> None:
    notifier = notifier_from_settings(
        "https://hooks.example.com/bastion", SecretStr("from-the-environment")
    )
    assert isinstance(notifier, WebhookNotifier)
    assert "from-the-environment" not in repr(notifier)
    notifier.close()


@pytest.mark.parametrize("secret", [None, SecretStr("")])
def test_a_url_without_a_secret_is_refused(secret: SecretStr | None) -> None:
    with pytest.raises(InvalidInput, match="needs a secret") as caught:
        notifier_from_settings("https://hooks.example.com/bastion", secret)
    assert caught.value.field == "notification_webhook_secret"


def test_plain_http_elsewhere_is_refused_at_start_up() -> None:
    with pytest.raises(InvalidInput, match="in clear"):
        notifier_from_settings("http://hooks.example.com/bastion", SecretStr("k"))
    insecure = notifier_from_settings(
        "http://hooks.internal/bastion", SecretStr("k"), allow_insecure=True
    )
    assert isinstance(insecure, WebhookNotifier)


def test_the_receiver_code_in_the_docs_works(
    receiver: Receiver,
    make_notifier: Callable[..., WebhookNotifier],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    [source] = [
        block
        for block in re.findall(r"```python\n(.*?)```", PAGE.read_text("utf-8"), flags=re.S)
        if "def handle(" in block
    ]
    monkeypatch.setenv("BASTION_NOTIFICATION_WEBHOOK_SECRET", SECRET.decode())
    namespace: dict[str, object] = {"__name__": "notifications_doc"}
    exec(compile(source, PAGE.name, "exec"), namespace)  # noqa: S102
    handle: Callable[..., int] = namespace["handle"]  # type: ignore[assignment]

    make_notifier(receiver.url).notify("release_gate.approved", {"gate": "prod"})
    [request] = receiver.wait_for(1)

    assert handle(request.body, request.headers) == 200
    assert handle(request.body, request.headers) == 200  # the retry is recognized
    assert namespace["seen"] == {request.headers["X-Bastion-Delivery"]}
    assert handle(request.body.replace(b"prod", b"dev!"), request.headers) == 401
