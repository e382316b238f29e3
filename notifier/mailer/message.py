"""A rendered digest -> a MIME message, built once and stored with its outbox row.

The message is bytes with a random Message-ID (`new_message`), stored before
it is sent: a resend after a crash sends the same bytes with the same
Message-ID, so the recipient's client can tell it is a duplicate.
"""

from __future__ import annotations

import email.policy
import functools
import hashlib
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from email import quoprimime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from notifier.errors import ConfigError
from notifier.models import RenderedMessage


@functools.lru_cache(maxsize=16)
def sender_address(sender: str) -> str:
    """The address part of 'Name <addr>': the SMTP envelope sender and the Message-ID domain.

    Cached: it is asked for every message of a run, always of the one configured sender.
    """
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
    # A header cannot span lines: names and subjects from config or feeds are flattened.
    name = " ".join(to_name.split())
    top = [
        ("Subject", " ".join(rendered.subject.split())),
        ("Date", format_datetime(date if date.tzinfo else date.replace(tzinfo=UTC))),
        ("Message-ID", message_id),
        ("Auto-Submitted", "auto-generated"),
        *((key, " ".join(value.split())) for key, value in (headers or {}).items()),
    ]
    # A content-derived boundary makes the bytes reproducible (same input, same
    # message) and cannot occur in the quoted-printable parts, which never hold "=_".
    seed = "\0".join((message_id, rendered.subject, rendered.text, rendered.html))
    boundary = "=_notifier_" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]
    fast = _by_hand(
        rendered, top, sender=sender, to_name=name, to_email=to_email, boundary=boundary
    )
    if fast is not None:
        return fast
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = Address(display_name=name, addr_spec=to_email)
    for key, value in top:
        msg[key] = value
    # quoted-printable keeps the .eml readable and the HTML's long lines legal (RFC 5322).
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg.set_boundary(boundary)
    return msg.as_bytes(policy=email.policy.SMTP)


_ATOMS = r"[A-Za-z0-9!#$%&'*+/^_`{|}~-]+"
_ADDR = rf"{_ATOMS}(?:\.{_ATOMS})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_PLAIN_ADDRESS = re.compile(rf"(?:{_ATOMS}(?: {_ATOMS})* <{_ADDR}>|{_ADDR})")
_PLAIN_NAME = re.compile(rf"(?:{_ATOMS}(?: {_ATOMS})*)?")
_PLAIN_EMAIL = re.compile(_ADDR)
_PLAIN_TEXT = re.compile(r"[!-~]+(?: [!-~]+)*")
_PLAIN_ID = re.compile(r"<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+>")
_FOLD_AT = 78
"""email.policy.SMTP's max_line_length: a header line longer than this would be folded."""


def _by_hand(
    rendered: RenderedMessage,
    top: list[tuple[str, str]],
    *,
    sender: str,
    to_name: str,
    to_email: str,
    boundary: str,
) -> bytes | None:
    """The message `email` would make, byte for byte, for the common plain-ASCII headers.

    The `email` package parses and refolds every header through its registry, about
    three quarters of a delivery run's message cost. Headers of printable ASCII that
    fit on one line and hold nothing it would rewrite (encoded words, quoting, a
    display name with specials) come out of it unchanged, so they are written here
    directly; anything else returns None and takes the `email` path. The bodies use
    `email`'s own quoted-printable encoder, so they cannot differ.
    tests/test_mailer.py checks both paths give the same bytes.
    """
    if not (
        _PLAIN_ADDRESS.fullmatch(sender)
        and _PLAIN_NAME.fullmatch(to_name)
        and _PLAIN_EMAIL.fullmatch(to_email)
        and _PLAIN_ID.fullmatch(dict(top)["Message-ID"])
    ):
        return None
    to = f"{to_name} <{to_email}>" if to_name else to_email
    lines = [f"From: {sender}", f"To: {to}"]
    for key, value in top:
        if "=?" in value or not _PLAIN_TEXT.fullmatch(value):
            return None
        lines.append(f"{key}: {value}")
    if any(len(line) > _FOLD_AT for line in lines):
        return None
    lines += [
        "MIME-Version: 1.0",
        "Content-Type: multipart/alternative;",
        f' boundary="{boundary}"',
        "",
        f"--{boundary}",
        _part("plain", rendered.text, ""),
        f"--{boundary}",
        # `add_alternative` gives the part it creates its own MIME-Version: kept as it was.
        _part("html", rendered.html, "MIME-Version: 1.0\r\n"),
        f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode("ascii")


def _part(subtype: str, text: str, extra: str) -> str:
    """One text part as `set_content(..., cte="quoted-printable")` writes it."""
    body = b"\n".join(text.encode("utf-8").splitlines()) + b"\n"
    encoded = quoprimime.body_encode(body.decode("latin-1"), _FOLD_AT)
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n"
        f"{extra}\r\n" + encoded.replace("\n", "\r\n")
    )


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
