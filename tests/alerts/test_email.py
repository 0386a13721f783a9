"""EmailNotifier against a real SMTP server (aiosmtpd) on 127.0.0.1: what arrives, STARTTLS,
login, retries of temporary failures, permanent refusals, a server that is down, and
what never reaches the logs."""

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bastion.errors import InvalidInput
from bastion.notify import DeliveryStats
from bastion.notify.email import EmailNotifier, NullMailer, mailer_from_settings
from tests.alerts.smtp import PASSWORD, USERNAME, Mailbox, Tls
from tests.notify.conftest import wait_until

SENDER = "bastion@example.org"
TO = ["oncall@example.org", "risk@example.org"]

MakeMailer = Callable[..., EmailNotifier]
StartServer = Callable[..., int]


@pytest.fixture
def make_mailer() -> Iterator[MakeMailer]:
    made: list[EmailNotifier] = []

    def make(port: int, **options: Any) -> EmailNotifier:
        options = {
            "sender": SENDER,
            "recipients": TO,
            "starttls": False,
            "backoff_base": 0.01,
            "backoff_max": 0.05,
            "timeout": 5.0,
            **options,
        }
        mailer = EmailNotifier("127.0.0.1", port, **options)
        made.append(mailer)
        return mailer

    yield make
    for mailer in made:
        mailer.close(timeout=2)


def test_a_message_arrives_to_every_recipient(
    smtp_server: StartServer, mailbox: Mailbox, make_mailer: MakeMailer
) -> None:
    mailer = make_mailer(smtp_server())

    message_id = mailer.send("[Bastion] FIRING high: drift-high", "drift.share above 0.3\n")

    [message] = mailbox.wait_for(1)
    assert message["From"] == SENDER
    assert message["To"] == ", ".join(TO)
    assert message["Subject"] == "[Bastion] FIRING high: drift-high"
    assert message["Message-ID"] == f"<{message_id}@bastion>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content().splitlines() == ["drift.share above 0.3"]
    assert mailbox.envelopes == [(SENDER, TO)]
    wait_until(lambda: mailer.deliveries == DeliveryStats(sent=1))


def test_line_breaks_in_a_subject_cannot_add_headers(
    smtp_server: StartServer, mailbox: Mailbox, make_mailer: MakeMailer
) -> None:
    mailer = make_mailer(smtp_server())

    mailer.send("drift on monitor x\r\nBcc: attacker@example.com", "body")

    [message] = mailbox.wait_for(1)
    assert message["Bcc"] is None
    assert message["Subject"] == "drift on monitor x Bcc: attacker@example.com"


def test_starttls_then_login(
    smtp_server: StartServer, mailbox: Mailbox, make_mailer: MakeMailer, tls: Tls
) -> None:
    port = smtp_server(tls_context=tls.server, require_starttls=True, auth_required=True)
    mailer = make_mailer(
        port, starttls=True, tls_context=tls.client, username=USERNAME, password=PASSWORD
    )

    mailer.send("subject", "body")

    mailbox.wait_for(1)
    wait_until(lambda: mailer.deliveries == DeliveryStats(sent=1))


def test_an_untrusted_certificate_is_a_permanent_failure(
    smtp_server: StartServer,
    mailbox: Mailbox,
    make_mailer: MakeMailer,
    tls: Tls,
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = smtp_server(tls_context=tls.server, require_starttls=True)
    mailer = make_mailer(port, starttls=True)  # the system's CAs do not know this one

    mailer.send("subject", "body")

    wait_until(
        lambda: "TLS certificate is not trusted, not retried" in caplog.text
    )  # logged once counted
    assert mailer.deliveries == DeliveryStats(failed=1)
    assert mailbox.messages == []


def test_login_without_tls_on_loopback_and_no_secret_in_logs(
    smtp_server: StartServer,
    mailbox: Mailbox,
    make_mailer: MakeMailer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bastion")
    port = smtp_server(auth_require_tls=False)
    mailer = make_mailer(port, username=USERNAME, password=PASSWORD)

    mailer.send("subject", "the body of a confidential alert")

    mailbox.wait_for(1)
    wait_until(lambda: mailer.deliveries.sent == 1)
    # Bastion's own records (the test server's log the whole conversation).
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bastion"))
    assert "sent through 127.0.0.1" in ours
    for secret in (PASSWORD, *TO, "confidential"):
        assert secret not in ours
        assert secret not in repr(mailer)


def test_a_wrong_password_is_not_retried(
    smtp_server: StartServer,
    mailbox: Mailbox,
    make_mailer: MakeMailer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = smtp_server(auth_require_tls=False)
    mailer = make_mailer(port, username=USERNAME, password="wrong")

    mailer.send("subject", "body")

    wait_until(lambda: "SMTP 535, not retried" in caplog.text)  # logged once counted
    assert mailer.deliveries == DeliveryStats(failed=1)
    assert "wrong" not in caplog.text


def test_temporary_failures_are_retried(
    smtp_server: StartServer, mailbox: Mailbox, make_mailer: MakeMailer
) -> None:
    mailbox.script.extend(["451 4.3.0 try again later", "421 4.7.0 busy"])
    mailer = make_mailer(smtp_server())

    mailer.send("subject", "body")

    mailbox.wait_for(1)
    wait_until(lambda: mailer.deliveries == DeliveryStats(sent=1))
    assert mailbox.attempts == 3


def test_permanent_failures_are_not_retried(
    smtp_server: StartServer,
    mailbox: Mailbox,
    make_mailer: MakeMailer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mailbox.script.append("554 5.7.1 rejected as spam")
    mailer = make_mailer(smtp_server())

    mailer.send("subject", "body")

    wait_until(lambda: "SMTP 554, not retried" in caplog.text)  # logged once counted
    assert mailer.deliveries == DeliveryStats(failed=1)
    assert mailbox.attempts == 1


def test_a_server_that_is_down_never_slows_the_caller(
    closed_port: int, make_mailer: MakeMailer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bastion.notify")
    mailer = make_mailer(closed_port, max_attempts=3)

    started = time.perf_counter()
    for _ in range(20):
        mailer.send("subject", "body")
    elapsed = time.perf_counter() - started

    assert elapsed < 0.5
    wait_until(lambda: mailer.deliveries.failed == 20, timeout=20)
    assert "ConnectionRefusedError" in caplog.text
    assert "retrying in" in caplog.text


def test_close_counts_what_is_left(closed_port: int) -> None:
    mailer = EmailNotifier(
        "127.0.0.1",
        closed_port,
        sender=SENDER,
        recipients=TO,
        starttls=False,
        backoff_base=5,
        backoff_max=5,
    )
    for _ in range(3):
        mailer.send("subject", "body")

    started = time.perf_counter()
    mailer.close(timeout=0.3)

    assert time.perf_counter() - started < 2
    assert mailer.deliveries == DeliveryStats(dropped=3)
    mailer.send("after", "closing")
    assert mailer.deliveries == DeliveryStats(dropped=4)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"sender": "Bastion <bastion@example.org>"}, "smtp_from"),
        ({"sender": "not-an-address"}, "smtp_from"),
        ({"recipients": []}, "alert_email_to"),
        ({"recipients": ["a@example.org, b@example.org"]}, "alert_email_to"),
        ({"recipients": ["a@example.org\r\nBcc: x@example.com"]}, "alert_email_to"),
        ({"username": "u", "password": "p", "starttls": False}, "smtp_starttls"),
        ({"max_attempts": 0}, "max_attempts"),
    ],
)
def test_refused_at_construction(options: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"sender": SENDER, "recipients": TO, **options}
    with pytest.raises(InvalidInput) as caught:
        EmailNotifier("smtp.example.org", 587, **arguments)
    assert caught.value.field == field
    assert "x@example.com" not in caught.value.detail


def test_login_without_tls_elsewhere_needs_allow_insecure() -> None:
    mailer = EmailNotifier(
        "smtp.example.org",
        25,
        sender=SENDER,
        recipients=TO,
        username="u",
        password="p",
        starttls=False,
        allow_insecure=True,
    )
    assert "smtp.example.org:25" in repr(mailer)


def test_mailer_from_settings() -> None:
    assert isinstance(
        mailer_from_settings(host=None, port=587, sender=None, recipients=TO), NullMailer
    )
    with pytest.raises(InvalidInput, match="smtp_from"):
        mailer_from_settings(host="smtp.example.org", port=587, sender=None, recipients=TO)
    mailer = mailer_from_settings(host="smtp.example.org", port=587, sender=SENDER, recipients=TO)
    assert isinstance(mailer, EmailNotifier)
    mailer.close()
