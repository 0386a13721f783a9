"""Outgoing notifications by e-mail over SMTP, delivered in the background.

The alert service calls :meth:`EmailNotifier.send` once its transaction has committed;
``send`` builds the message, puts it on a bounded queue and returns at once, so a slow
or unreachable mail server never blocks or fails the caller (a window evaluation, an
ingestion). One daemon worker thread, started on the first message, sends each one with
:mod:`smtplib` — STARTTLS before logging in unless told otherwise — and retries
temporary failures (connection errors, timeouts, 4xx replies) with the same queue,
exponential back-off and jitter as the webhooks (:mod:`bastion.notify.delivery`).
Permanent refusals (5xx: a bad password, an unknown recipient) are not retried.

Logs name the server (``host:port``), the message id and the number of recipients —
never the password, the addresses or the message, which may all be personal data.
"""

from __future__ import annotations

import email.utils
import logging
import smtplib
import ssl
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from bastion.errors import InvalidInput
from bastion.notify.delivery import Attempt, DeliveryQueue, DeliveryStats, Outcome, is_loopback

__all__ = ["EmailNotifier", "Mailer", "NullMailer", "mailer_from_settings"]

logger = logging.getLogger(__name__)

_MAX_SUBJECT = 200


class Mailer(Protocol):
    """The interface of every mailer: ``send`` never blocks nor fails the caller."""

    @property
    def deliveries(self) -> DeliveryStats: ...

    def send(self, subject: str, text: str) -> str: ...

    def close(self, timeout: float = 10.0) -> None: ...


class NullMailer:
    """A mailer that sends nothing, for when no SMTP server is configured."""

    def __repr__(self) -> str:
        return "NullMailer()"

    @property
    def deliveries(self) -> DeliveryStats:
        """Always zero: nothing is sent, failed or dropped."""
        return DeliveryStats()

    def send(self, subject: str, text: str) -> str:
        """Return a fresh message id and send nothing."""
        return str(uuid.uuid4())

    def close(self, timeout: float = 10.0) -> None:
        """Nothing to close."""


@dataclass(frozen=True, slots=True)
class _Message:
    id: str
    message: EmailMessage


def _checked_address(value: str, field: str) -> str:
    """``value`` if it is one plain address (``name@domain``, no display name, no line
    breaks); refused otherwise, naming the setting but not echoing the address."""
    name, address = email.utils.parseaddr(value)
    local, _, domain = address.rpartition("@")
    plain = address == value.strip() and not any(c.isspace() or c in ",;<>" for c in address)
    if name or not local or not domain or not plain:
        raise InvalidInput(f"{field}: not a plain e-mail address (name@domain)", field=field)
    return address


def _one_line(text: str) -> str:
    """A header value without line breaks or control characters (no header injection)."""
    flat = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(flat.split())[:_MAX_SUBJECT]


class EmailNotifier:
    """Sends plain-text e-mails to fixed recipients through one SMTP server, in the
    background, with retries.

    Parameters
    ----------
    host, port
        The SMTP server (submission port 587 with STARTTLS is the usual choice).
    sender
        The ``From`` address.
    recipients
        The ``To`` addresses; every message goes to all of them.
    username, password
        Log in (SMTP AUTH) with these when a username is given; never shown in ``repr``
        or logs.
    starttls
        Upgrade the connection with STARTTLS before anything else, verifying the
        server's certificate; a server that does not offer it is a permanent failure.
    tls_context
        The TLS settings for STARTTLS; default: the system's trusted CAs, with host name
        checking (pass a context that trusts a private CA otherwise).
    allow_insecure
        Accept logging in without STARTTLS to a non-loopback host (the password would
        travel in clear).
    max_attempts, backoff_base, backoff_max, timeout, queue_size
        As for :class:`bastion.notify.WebhookNotifier`.

    Raises
    ------
    InvalidInput
        For a malformed address, no recipient, a login without STARTTLS to another host
        (without ``allow_insecure``), or an out-of-range limit — at start-up, rather than
        when the first alert is due.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        recipients: list[str],
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        tls_context: ssl.SSLContext | None = None,
        allow_insecure: bool = False,
        max_attempts: int = 6,
        backoff_base: float = 1.0,
        backoff_max: float = 300.0,
        timeout: float = 10.0,
        queue_size: int = 1000,
    ) -> None:
        if not host or any(c.isspace() for c in host):
            raise InvalidInput("smtp_host: not a host name", field="smtp_host")
        if not 1 <= port <= 65535:
            raise InvalidInput("smtp_port: must be between 1 and 65535", field="smtp_port")
        if not recipients:
            raise InvalidInput(
                "alert_email_to: give at least one recipient for e-mail notifications",
                field="alert_email_to",
            )
        if username and not starttls and not allow_insecure and not is_loopback(host):
            raise InvalidInput(
                f"refusing to log in to {host} without STARTTLS: the password would travel "
                "in clear. Turn STARTTLS on (BASTION_SMTP_STARTTLS=true), or pass "
                "allow_insecure=True for a trusted network.",
                field="smtp_starttls",
            )
        self._queue = DeliveryQueue(
            lambda: nullcontext(self._attempt),  # a connection per attempt: nothing to hold
            describe=self._describe,
            report=self._report,
            sender="mailer",
            thread_name="bastion-notify-email",
            logger=logger,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            backoff_max=backoff_max,
            queue_size=queue_size,
        )
        if not timeout > 0:
            raise InvalidInput("timeout must be positive", field="timeout")
        self._host = host
        self._port = port
        self._sender = _checked_address(sender, "smtp_from")
        self._recipients = [_checked_address(r, "alert_email_to") for r in recipients]
        self._username = username or None
        self._password = password or ""
        self._starttls = starttls
        self._tls_context = tls_context
        self._timeout = timeout

    @property
    def _server(self) -> str:
        return f"{self._host}:{self._port}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(server={self._server!r}, starttls={self._starttls}, "
            f"recipients={len(self._recipients)})"
        )

    @property
    def deliveries(self) -> DeliveryStats:
        """A snapshot of the sent, failed and dropped counts."""
        return self._queue.stats

    def send(self, subject: str, text: str) -> str:
        """Queue a message to every recipient and return its id at once.

        Parameters
        ----------
        subject
            One line; line breaks and control characters become spaces.
        text
            The plain-text body.

        Returns
        -------
        str
            A UUID, also the local part of the message's ``Message-ID``.
        """
        message_id = str(uuid.uuid4())
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = ", ".join(self._recipients)
        message["Subject"] = _one_line(subject)
        message["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = f"<{message_id}@bastion>"
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
        message.set_content(text)
        self._queue.put(_Message(message_id, message))
        return message_id

    def close(self, timeout: float = 10.0) -> None:
        """Send what can be sent within ``timeout`` seconds, then stop; what is still
        queued then is counted as dropped. Closing twice is harmless."""
        abandoned = self._queue.close(timeout)
        if abandoned:
            logger.warning(
                "%d e-mail(s) to %s not sent: the mailer closed first", abandoned, self._server
            )

    # -- what the delivery queue's worker thread calls -----------------------------

    def _describe(self, item: _Message) -> str:
        return f"e-mail {item.id} to {self._server}"

    def _attempt(self, item: _Message) -> Attempt:
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                if self._starttls:
                    context = self._tls_context or ssl.create_default_context()
                    smtp.starttls(context=context)
                if self._username:
                    smtp.login(self._username, self._password)
                refused = smtp.send_message(item.message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            return _classify(min(codes) if codes else 550, "every recipient refused")
        except smtplib.SMTPResponseException as exc:
            # Only the code: a server's reply text may quote the address or the login.
            return _classify(exc.smtp_code, f"SMTP {exc.smtp_code}")
        except smtplib.SMTPNotSupportedError:
            return Attempt("refused", "the server does not support STARTTLS or AUTH")
        except ssl.SSLCertVerificationError:
            return Attempt("refused", "the server's TLS certificate is not trusted")
        except (smtplib.SMTPException, OSError) as exc:  # disconnects, refusals, timeouts
            return Attempt("retry", type(exc).__name__)
        if refused:
            return Attempt(
                "sent", f"{len(refused)} of {len(self._recipients)} recipient(s) refused"
            )
        return Attempt("sent")

    def _report(self, item: _Message, outcome: Outcome, reason: str) -> None:
        if outcome == "sent" and not reason:
            logger.debug(
                "e-mail %s sent through %s to %d recipient(s)",
                item.id,
                self._server,
                len(self._recipients),
            )
        else:
            logger.warning("e-mail %s through %s %s: %s", item.id, self._server, outcome, reason)


def _classify(code: int, reason: str) -> Attempt:
    """RFC 5321 section 4.2.1: 4yz replies are transient, 5yz permanent."""
    return Attempt("retry" if 400 <= code < 500 else "refused", reason)


def mailer_from_settings(
    *,
    host: str | None,
    port: int,
    sender: str | None,
    recipients: list[str],
    username: str | None = None,
    password: str | None = None,
    starttls: bool = True,
) -> Mailer:
    """The mailer the settings ask for: none without ``smtp_host``.

    Raises
    ------
    InvalidInput
        For a host without ``smtp_from`` or without recipients, or whatever
        :class:`EmailNotifier` refuses — at start-up.
    """
    if not host:
        if recipients:
            logger.warning("alert e-mail recipients are set but no SMTP host: e-mails are off")
        return NullMailer()
    if not sender:
        raise InvalidInput(
            "smtp_from: an SMTP host needs a sender address (BASTION_SMTP_FROM)",
            field="smtp_from",
        )
    return EmailNotifier(
        host,
        port,
        sender=sender,
        recipients=recipients,
        username=username,
        password=password,
        starttls=starttls,
    )
