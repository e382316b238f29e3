"""Delivery: a rendered digest -> a MIME message -> an SMTP relay or an .eml file.

The message is built once, as bytes with a random Message-ID (`new_message`),
and stored with its outbox row before it is sent: a resend after a crash sends
the same bytes with the same Message-ID, so the recipient's client can tell it
is a duplicate. `Mailer.deliver` takes one outbox row to its destination:
the outbox folder or the relay, retrying transient SMTP failures with backoff.
Failures become `DeliveryError`s whose `permanent` flag tells the caller
whether retrying on the next run can help, and whose message tells the
operator what to fix.
"""

from __future__ import annotations

import asyncio
import email.policy
import hashlib
import logging
import os
import re
import ssl
import tempfile
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

import aiosmtplib

from notifier.config import Settings, SmtpSettings
from notifier.errors import ConfigError, DeliveryError
from notifier.models import Delivery, RenderedMessage

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3
"""Tries per message within one run for transient failures (4xx, timeouts); later runs retry too."""
RETRY_DELAY = 1.0
"""Seconds before the second try; doubled before each further one."""


def sender_address(sender: str) -> str:
    """The address part of 'Name <addr>': the SMTP envelope sender and the Message-ID domain."""
    _, address = parseaddr(sender)
    if "@" not in address:
        raise ConfigError(
            f"smtp.sender: {sender!r} has no email address; "
            "write it as 'Humanitarian alerts <alerts@example.org>'"
        )
    return address


def sender_domain(sender: str) -> str:
    """The domain of the sender: Message-IDs are made unique under a domain we own."""
    return sender_address(sender).rpartition("@")[2]


def make_message_id(key: str, domain: str) -> str:
    """A Message-ID that depends only on `key`, so a resent delivery keeps its id.

    The key (a delivery row's identity) is hashed: it may contain characters a
    Message-ID cannot, and it need not be shown to recipients.
    """
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<notifier.{digest}@{domain.strip().strip('<>') or 'localhost'}>"


def build_message(
    rendered: RenderedMessage,
    *,
    sender: str,
    to_email: str,
    to_name: str,
    message_id: str,
    date: datetime,
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """A multipart/alternative message: plain text first, HTML preferred by capable clients.

    `Auto-Submitted: auto-generated` keeps vacation responders and mailing
    lists from answering or looping. Naive dates are taken as UTC. `headers`
    are added as given (List-Unsubscribe, List-Id, X-Notifier-Digest).
    """
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    # A header cannot span lines: names and subjects from config or feeds are flattened.
    msg["To"] = Address(display_name=" ".join(to_name.split()), addr_spec=to_email)
    msg["Subject"] = " ".join(rendered.subject.split())
    msg["Date"] = format_datetime(date if date.tzinfo else date.replace(tzinfo=UTC))
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        msg[name] = " ".join(value.split())
    # quoted-printable keeps the .eml readable and the HTML's long lines legal (RFC 5322).
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    # A boundary derived from the content makes the bytes reproducible (same input, same
    # message) and cannot occur in the quoted-printable parts, which never hold "=_".
    seed = "\0".join((message_id, rendered.subject, rendered.text, rendered.html))
    msg.set_boundary("=_notifier_" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32])
    return msg.as_bytes(policy=email.policy.SMTP)


def list_headers(
    *, sender: str, list_unsubscribe: str, delivery_id: int | None = None
) -> dict[str, str]:
    """The headers that let clients file, unsubscribe from and trace a digest.

    `List-Unsubscribe-Post` (RFC 8058 one-click) only for an https URL: a
    mailto: address is written to, not posted to.
    """
    headers = {"List-Id": f"notifier digests <notifier.{sender_domain(sender)}>"}
    if list_unsubscribe:
        headers["List-Unsubscribe"] = f"<{list_unsubscribe}>"
        if list_unsubscribe.lower().startswith("https:"):
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if delivery_id is not None:
        headers["X-Notifier-Digest"] = str(delivery_id)
    return headers


def new_message(
    rendered: RenderedMessage,
    *,
    sender: str,
    to_email: str,
    to_name: str,
    date: datetime,
    headers: Mapping[str, str] | None = None,
) -> tuple[str, bytes]:
    """A message for a new outbox row: (Message-ID, bytes).

    The Message-ID is random, so two databases never reuse one, and it is
    stored with the bytes, so a resend after a crash carries the same id.
    """
    message_id = make_message_id(uuid.uuid4().hex, sender_domain(sender))
    message = build_message(
        rendered,
        sender=sender,
        to_email=to_email,
        to_name=to_name,
        message_id=message_id,
        date=date,
        headers=headers,
    )
    return message_id, message


class Mailer:
    """Takes outbox rows to where the config sends them: the relay or the outbox folder."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def deliver(self, row: Delivery, recipient: str) -> str:
        """Deliver one row's stored message to `recipient`; return where it went.

        Transient SMTP failures are retried with backoff within this run;
        DeliveryError says whether the next run should try again.
        """
        message = row.message or b""
        if self.settings.delivery.method == "outbox":
            name = f"{row.created_at:%Y%m%dT%H%M%SZ}-{row.id:06d}-{_safe(recipient)}"
            return str(write_outbox(message, self.settings.delivery.outbox_dir, name))
        smtp = self.settings.smtp
        sender = sender_address(smtp.sender)
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                await send_smtp(message, sender=sender, recipients=[recipient], smtp=smtp)
            except DeliveryError as e:
                if e.permanent or not e.retry_now or attempt == SEND_ATTEMPTS:
                    raise
                await asyncio.sleep(RETRY_DELAY * 2 ** (attempt - 1))
            else:
                break
        return f"smtp {smtp.host}:{smtp.port}"


def _safe(text: str) -> str:
    """A file-name-safe form of an address, for outbox file names."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:80]


def _security(smtp: SmtpSettings) -> tuple[bool, bool]:
    """(use_tls, start_tls); 'none' says start_tls=False so aiosmtplib never upgrades on its own."""
    if smtp.security == "tls":
        return True, False
    if smtp.security == "starttls":
        return False, True
    return False, False


async def send_smtp(
    message: bytes, *, sender: str, recipients: list[str], smtp: SmtpSettings
) -> None:
    """Hand the message to the relay; return only once the server has accepted it.

    Raises DeliveryError: permanent for answers that a retry of this message
    will not change (5xx, recipients refused with 5xx); not permanent for what
    may pass on the next run (connection refused or dropped, timeouts, a failed
    TLS handshake, 4xx) and for config problems the operator must fix (a refused
    login, a server lacking the STARTTLS or AUTH the config asks for: these are
    not retried within the run). Raises ConfigError when smtp.sender has no address.
    """
    envelope_from = sender_address(sender)
    use_tls, start_tls = _security(smtp)
    where = f"SMTP server {smtp.host}:{smtp.port}"
    username = smtp.username or None
    try:
        refused, _ = await aiosmtplib.send(
            message,
            sender=envelope_from,
            recipients=recipients,
            hostname=smtp.host,
            port=smtp.port,
            use_tls=use_tls,
            start_tls=start_tls,
            username=username,
            password=smtp.password.get_secret_value() if username else None,
            timeout=smtp.timeout,
        )
    except aiosmtplib.SMTPAuthenticationError as e:
        raise DeliveryError(
            f"{where} refused the login for {smtp.username!r} ({e.code} {e.message}); "
            "check smtp.username and the password (NOTIFIER_SMTP__PASSWORD)",
            permanent=False,
            retry_now=False,
        ) from e
    except aiosmtplib.SMTPRecipientsRefused as e:
        answers = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in e.recipients)
        raise DeliveryError(
            f"{where} refused the recipient(s): {answers}; check the subscriber's address",
            permanent=all(r.code >= 500 for r in e.recipients),
        ) from e
    except aiosmtplib.SMTPSenderRefused as e:
        raise DeliveryError(
            f"{where} refused the sender {e.sender!r} ({e.code} {e.message}); "
            "check smtp.sender: the relay must accept mail from that address",
            permanent=e.code >= 500,
        ) from e
    except aiosmtplib.SMTPResponseException as e:
        later = "it will be retried on the next run" if e.code < 500 else "it was not retried"
        raise DeliveryError(
            f"{where} answered {e.code} {e.message}; {later}", permanent=e.code >= 500
        ) from e
    except aiosmtplib.SMTPTimeoutError as e:
        raise DeliveryError(
            f"{where} did not answer within {smtp.timeout:g}s ({e}); check smtp.host and "
            "smtp.port, or raise smtp.timeout for a slow relay; it will be retried",
        ) from e
    except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected) as e:
        raise DeliveryError(
            f"cannot talk to {where} ({e}); check that it runs and that smtp.host, smtp.port "
            f"and smtp.security ({smtp.security!r}) match it; it will be retried",
        ) from e
    except ssl.SSLError as e:
        raise DeliveryError(
            f"TLS with {where} failed ({e}); check smtp.security ({smtp.security!r}: 'tls' "
            "for port 465, 'starttls' for 587) and the server's certificate; it will be retried",
        ) from e
    except aiosmtplib.SMTPException as e:
        raise DeliveryError(
            f"{where}: {e}; check smtp.security ({smtp.security!r}) and smtp.username "
            "against what the server offers",
            permanent=False,
            retry_now=False,
        ) from e
    if refused:
        # Some recipients took it: retrying would send it to them twice.
        log.warning("%s refused some recipients: %s", where, refused)


def write_outbox(message: bytes, outbox_dir: Path, name: str) -> Path:
    """Write `<name>.eml` so that a reader never sees half a message.

    The temp file lives in the same folder, so os.replace is an atomic rename
    on the same file system; a crash leaves a hidden .tmp file, never a torn .eml.
    """
    if not name or Path(name).name != name or name.startswith("."):
        raise ValueError(f"outbox file name must be a plain name, got {name!r}")
    target = outbox_dir / f"{name}.eml"
    tmp: str | None = None
    try:
        outbox_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=outbox_dir, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(message)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(target)
        tmp = None
    except OSError as e:
        raise DeliveryError(
            f"cannot write {target} ({e}); check that delivery.outbox_dir ({outbox_dir}) "
            "is a writable folder; it will be retried"
        ) from e
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return target
