"""A rendered digest -> a MIME message, built once and stored with its outbox row.

The message is bytes with a random Message-ID (`new_message`), stored before
it is sent: a resend after a crash sends the same bytes with the same
Message-ID, so the recipient's client can tell it is a duplicate.
"""

from __future__ import annotations

import email.policy
import hashlib
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from notifier.errors import ConfigError
from notifier.models import RenderedMessage


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
