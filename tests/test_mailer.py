"""Mailer: MIME building, the outbox folder, and SMTP against real local servers.

The SMTP tests talk to a real aiosmtpd server on 127.0.0.1 (helpers.Mailbox, the
`smtp_server` fixture, told which answers to give), or, for failures aiosmtpd
cannot produce, a few lines of asyncio playing a broken server: every error
branch of `send_smtp` is driven by a server that really answers that way.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import logging
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from helpers import Mailbox, free_port, serve_smtp

from notifier.config import SmtpSettings
from notifier.errors import ConfigError, DeliveryError
from notifier.mailer import (
    build_message,
    make_message_id,
    send_smtp,
    sender_address,
    sender_domain,
    write_outbox,
)
from notifier.mailer import message as message_module
from notifier.models import RenderedMessage

SENDER = "Humanitarian alerts <alerts@example.org>"
DASH = "\u2013"  # an en dash: non-ASCII punctuation must survive the trip
PASSWORD = "s3cret"  # noqa: S105 - the test relay's password
WRONG = PASSWORD + "-typo"
TEXT = f"60,000 people displaced in Côte d'Ivoire {DASH} more than last week.\n"
HTML = f"<p>60,000 people displaced in <b>Côte d'Ivoire</b> {DASH} more than last week.</p>"
RENDERED = RenderedMessage(
    subject="[alerts] 60,000 displaced in Côte d'Ivoire", text=TEXT, html=HTML
)
DATE = datetime(2026, 11, 24, 7, 0, tzinfo=timezone(timedelta(hours=1)))


def message(to: str = "desk@example.org") -> bytes:
    return build_message(
        RENDERED,
        sender=SENDER,
        to_email=to,
        to_name="Opérations desk",
        message_id=make_message_id("delivery-42", "example.org"),
        date=DATE,
    )


def parse(raw: bytes) -> EmailMessage:
    parsed = message_from_bytes(raw, policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    return parsed


# --- building ---------------------------------------------------------------------

_TEXTS = [
    TEXT,
    "",
    "no newline at the end",
    "a\r\nb\rc\n\n\nd " + "x" * 200 + "\n",
    "Åland \u2028 \x85 \x0b \x0c tabs\tand trailing spaces   \nFrom here\n.dot\n=3D=\n",
    "é" * 100 + "\n" + "long " * 60,
]
_NAMES = ["Operations desk", "", "Opérations desk", "Dr. Who", "desk (ops)", 'a "b"', "x" * 70]
_EMAILS = ["desk@example.org", "first.last+tag@mail.example.org", "x" * 60 + "@example.org"]
_SENDERS = [SENDER, "alerts@example.org", '"Alerts, Inc." <a@example.org>', "Zoë <z@example.org>"]
_SUBJECTS = [
    "[alerts] Severe: 250,000 displaced (Sofala)",
    "=?utf-8?q?not_a_word?=",
    "Côte d'Ivoire",
    "word " * 20,
    "",
]
_HEADERS: list[dict[str, str]] = [
    {},
    {"List-Id": "notifier digests <notifier.example.org>", "X-Notifier-Digest": "7"},
    {"List-Unsubscribe": "<https://example.org/" + "u" * 80 + ">"},
    {"List-Unsubscribe": "<mailto:unsub@example.org>", "List-Unsubscribe-Post": "x=y"},
]


def test_the_hand_built_message_is_the_email_packages_byte_for_byte(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast path writes exactly what `email` writes, and steps aside where it would not."""
    cases = list(
        itertools.islice(
            itertools.product(_TEXTS, _NAMES, _EMAILS, _SENDERS, _SUBJECTS, _HEADERS), 0, None, 7
        )
    )
    fast = message_module._by_hand
    made: list[bool] = []

    def counted(*args: Any, **kwargs: Any) -> bytes | None:
        out = fast(*args, **kwargs)
        made.append(out is not None)
        return out

    for text, name, to, sender, subject, headers in cases:
        rendered = RenderedMessage(subject, text, "<p>" + text + "</p>")
        kwargs: dict[str, Any] = {
            "sender": sender,
            "to_email": to,
            "to_name": name,
            "message_id": make_message_id(text + name, "example.org"),
            "date": DATE,
            "headers": headers,
        }
        monkeypatch.setattr(message_module, "_by_hand", counted)
        quick = build_message(rendered, **kwargs)
        monkeypatch.setattr(message_module, "_by_hand", lambda *a, **k: None)
        assert quick == build_message(rendered, **kwargs), (text, name, to, sender, subject)
    assert sum(made) >= 10  # the fast path is exercised, not always declined
    # ... and it is the one a usual digest takes.
    usual = RenderedMessage(_SUBJECTS[0], TEXT, HTML)
    top = [("Message-ID", make_message_id("k", "example.org")), *_HEADERS[1].items()]
    made.clear()
    counted(
        usual,
        top,
        sender=SENDER,
        to_name="Operations desk",
        to_email="desk@example.org",
        boundary="=_b",
    )
    assert made == [True]


def test_build_message_is_multipart_alternative() -> None:
    msg = parse(message())
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    # SMTP lines end in CRLF; the content is the same text.
    assert parts[0].get_content().replace("\r\n", "\n") == TEXT
    assert parts[1].get_content().rstrip("\r\n") == HTML
    assert msg["From"] == SENDER
    assert msg["To"] == "Opérations desk <desk@example.org>"
    assert msg["Subject"] == RENDERED.subject
    assert msg["Date"] == "Tue, 24 Nov 2026 07:00:00 +0100"
    assert msg["Message-ID"] == make_message_id("delivery-42", "example.org")
    assert msg["Auto-Submitted"] == "auto-generated"


def test_build_message_is_7bit_with_crlf_and_reproducible() -> None:
    raw = message()
    assert raw == message()  # a resend from the stored row or a rebuild: the same bytes
    assert raw.isascii()  # non-ASCII is encoded, so any relay carries it unchanged
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_build_message_naive_date_is_utc() -> None:
    raw = build_message(
        RENDERED,
        sender=SENDER,
        to_email="a@example.org",
        to_name="",
        message_id="<x@example.org>",
        date=datetime(2026, 1, 2, 3, 4, 5),
    )
    assert parse(raw)["Date"] == "Fri, 02 Jan 2026 03:04:05 +0000"
    assert parse(raw)["To"] == "a@example.org"


def test_build_message_flattens_line_breaks_in_headers() -> None:
    rendered = RenderedMessage(subject="a\r\nBcc: x@example.net", text="t", html="<p>h</p>")
    raw = build_message(
        rendered,
        sender=SENDER,
        to_email="a@example.org",
        to_name="Desk\nBcc: y@example.net",
        message_id="<x@example.org>",
        date=DATE,
    )
    msg = parse(raw)
    assert msg["Subject"] == "a Bcc: x@example.net"
    assert msg["Bcc"] is None
    assert msg["To"] == '"Desk Bcc: y@example.net" <a@example.org>'


def test_message_id_is_stable_per_key() -> None:
    first = make_message_id("subscriber=desk@example.org window=2026-11-24", "example.org")
    assert first == make_message_id("subscriber=desk@example.org window=2026-11-24", "example.org")
    assert first != make_message_id("subscriber=desk@example.org window=2026-11-25", "example.org")
    assert first.startswith("<notifier.")
    assert first.endswith("@example.org>")
    assert make_message_id("k", "") == make_message_id("k", "localhost")


def test_sender_address_and_domain() -> None:
    assert sender_address(SENDER) == "alerts@example.org"
    assert sender_address("ops@relief.example.net") == "ops@relief.example.net"
    assert sender_domain(SENDER) == "example.org"
    with pytest.raises(ConfigError, match=r"smtp\.sender"):
        sender_address("Humanitarian alerts")


# --- the outbox folder ------------------------------------------------------------


def test_write_outbox_creates_folder_and_file(tmp_path: Path) -> None:
    outbox = tmp_path / "deep" / "outbox"
    path = write_outbox(message(), outbox, "0042-desk")
    assert path == outbox / "0042-desk.eml"
    assert path.read_bytes() == message()
    assert [p.name for p in outbox.iterdir()] == ["0042-desk.eml"]  # no temp file left
    # A resend overwrites with the same content: still one file.
    write_outbox(message(), outbox, "0042-desk")
    assert [p.name for p in outbox.iterdir()] == ["0042-desk.eml"]


def test_write_outbox_failure_is_a_delivery_error_and_leaves_no_temp(tmp_path: Path) -> None:
    (tmp_path / "0042.eml").mkdir()  # the rename target is a folder: os.replace fails
    with pytest.raises(DeliveryError, match=r"delivery\.outbox_dir") as info:
        write_outbox(message(), tmp_path, "0042")
    assert info.value.permanent is False
    assert isinstance(info.value.__cause__, OSError)
    assert [p.name for p in tmp_path.iterdir()] == ["0042.eml"]


@pytest.mark.parametrize("name", ["", "../x", "a/b", ".hidden"])
def test_write_outbox_rejects_paths(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="plain name"):
        write_outbox(b"x", tmp_path, name)


# --- SMTP against a real aiosmtpd server ------------------------------------------


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"notifier", PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth_relay() -> Iterator[tuple[Mailbox, int]]:
    """An SMTP server that asks for a login (without TLS, so plain tests can log in)."""
    with serve_smtp(authenticator=_authenticate, auth_require_tls=False) as serving:
        yield serving


def settings(port: int, **kw: Any) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=5, **kw)


async def test_send_none_delivers_multipart_utf8(smtp_server: tuple[Mailbox, int]) -> None:
    server, port = smtp_server
    await send_smtp(message(), sender=SENDER, recipients=["desk@example.org"], smtp=settings(port))
    assert len(server.envelopes) == 1
    envelope = server.envelopes[0]
    assert envelope.mail_from == "alerts@example.org"  # the address part, not the display name
    assert envelope.rcpt_tos == ["desk@example.org"]
    assert isinstance(envelope.original_content, bytes)
    got = parse(envelope.original_content)
    assert [p.get_content_type() for p in got.iter_parts()] == ["text/plain", "text/html"]
    plain, html = (p.get_content() for p in got.iter_parts())
    assert f"Côte d'Ivoire {DASH} more" in plain
    assert f"<b>Côte d'Ivoire</b> {DASH}" in html
    for header in ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted"):
        assert got[header], header
    assert got["Subject"] == RENDERED.subject


async def test_login_with_the_right_password(auth_relay: tuple[Mailbox, int]) -> None:
    server, port = auth_relay
    smtp = settings(port, username="notifier", password=PASSWORD)
    await send_smtp(message(), sender=SENDER, recipients=["desk@example.org"], smtp=smtp)
    assert len(server.envelopes) == 1


async def test_wrong_password_waits_for_a_config_fix(auth_relay: tuple[Mailbox, int]) -> None:
    server, port = auth_relay
    smtp = settings(port, username="notifier", password=WRONG)
    with pytest.raises(DeliveryError, match=r"smtp\.username") as info:
        await send_smtp(message(), sender=SENDER, recipients=["desk@example.org"], smtp=smtp)
    assert info.value.permanent is False  # kept pending until the config is fixed
    assert WRONG not in str(info.value)  # the password is never echoed
    assert server.envelopes == []


async def test_login_on_a_server_without_auth_waits_for_a_config_fix(
    smtp_server: tuple[Mailbox, int],
) -> None:
    _, port = smtp_server
    smtp = settings(port, username="notifier", password=PASSWORD)
    with pytest.raises(DeliveryError, match="AUTH") as info:
        await send_smtp(message(), sender=SENDER, recipients=["desk@example.org"], smtp=smtp)
    assert info.value.permanent is False  # kept pending until the config is fixed


async def test_starttls_on_a_server_without_it_waits_for_a_config_fix(
    smtp_server: tuple[Mailbox, int],
) -> None:
    _, port = smtp_server
    smtp = settings(port).model_copy(update={"security": "starttls"})
    with pytest.raises(DeliveryError, match="STARTTLS") as info:
        await send_smtp(message(), sender=SENDER, recipients=["desk@example.org"], smtp=smtp)
    assert info.value.permanent is False  # kept pending until the config is fixed


async def test_refused_connection_is_transient_and_quick() -> None:
    port = free_port()  # nothing listens there any more
    started = time.monotonic()
    with pytest.raises(DeliveryError, match=r"smtp\.host") as info:
        await send_smtp(message(), sender=SENDER, recipients=["a@example.org"], smtp=settings(port))
    assert info.value.permanent is False
    assert isinstance(info.value.__cause__, ConnectionError)
    assert time.monotonic() - started < 3


async def test_unknown_recipient_550_is_permanent(smtp_server: tuple[Mailbox, int]) -> None:
    server, port = smtp_server
    server.refuse("nobody@example.org", "550 no such user")
    with pytest.raises(DeliveryError, match="no such user") as info:
        await send_smtp(
            message(), sender=SENDER, recipients=["nobody@example.org"], smtp=settings(port)
        )
    assert info.value.permanent is True


async def test_recipient_451_is_transient(smtp_server: tuple[Mailbox, int]) -> None:
    server, port = smtp_server
    server.refuse("later@example.org", "451 try later")
    with pytest.raises(DeliveryError, match="try later") as info:
        await send_smtp(
            message(), sender=SENDER, recipients=["later@example.org"], smtp=settings(port)
        )
    assert info.value.permanent is False


@pytest.mark.parametrize(("answer", "permanent"), [("451 try later", False), ("554 spam", True)])
async def test_data_answer_decides_permanence(
    smtp_server: tuple[Mailbox, int], answer: str, permanent: bool
) -> None:
    server, port = smtp_server
    server.data_answer = answer
    with pytest.raises(DeliveryError, match=answer) as info:
        await send_smtp(message(), sender=SENDER, recipients=["a@example.org"], smtp=settings(port))
    assert info.value.permanent is permanent


async def test_refused_sender_points_at_smtp_sender(smtp_server: tuple[Mailbox, int]) -> None:
    server, port = smtp_server
    server.mail_answer = "553 sender not allowed"
    with pytest.raises(DeliveryError, match=r"smtp\.sender") as info:
        await send_smtp(message(), sender=SENDER, recipients=["a@example.org"], smtp=settings(port))
    assert info.value.permanent is True


async def test_partly_refused_recipients_are_logged_not_raised(
    smtp_server: tuple[Mailbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    server, port = smtp_server
    server.refuse("nobody@example.org", "550 no such user")
    caplog.set_level(logging.WARNING, logger="notifier.mailer")
    recipients = ["desk@example.org", "nobody@example.org"]
    await send_smtp(message(), sender=SENDER, recipients=recipients, smtp=settings(port))
    assert server.envelopes[0].rcpt_tos == ["desk@example.org"]
    assert "nobody@example.org" in caplog.text


# --- failures aiosmtpd cannot play: a few lines of asyncio ----------------------------

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture
async def fake_server() -> AsyncIterator[Callable[[Script], Awaitable[int]]]:
    servers: list[asyncio.Server] = []

    async def start(script: Script) -> int:
        server = await asyncio.start_server(script, "127.0.0.1", 0)
        servers.append(server)
        port: int = server.sockets[0].getsockname()[1]
        return port

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


async def test_silent_server_times_out_transient(
    fake_server: Callable[[Script], Awaitable[int]],
) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # never greets; returns when the client gives up
        writer.close()

    port = await fake_server(silent)
    smtp = settings(port).model_copy(update={"timeout": 0.3})
    with pytest.raises(DeliveryError, match=r"smtp\.timeout") as info:
        await send_smtp(message(), sender=SENDER, recipients=["a@example.org"], smtp=smtp)
    assert info.value.permanent is False


async def test_server_hanging_up_is_transient(
    fake_server: Callable[[Script], Awaitable[int]],
) -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 fake ESMTP\r\n")
        await reader.readline()  # EHLO
        writer.close()

    port = await fake_server(hang_up)
    with pytest.raises(DeliveryError, match="it will be retried") as info:
        await send_smtp(message(), sender=SENDER, recipients=["a@example.org"], smtp=settings(port))
    assert info.value.permanent is False


async def test_broken_tls_handshake_is_transient(
    fake_server: Callable[[Script], Awaitable[int]],
) -> None:
    async def fake_starttls(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 fake ESMTP\r\n")
        await reader.readline()  # EHLO
        writer.write(b"250-fake\r\n250 STARTTLS\r\n")
        await reader.readline()  # STARTTLS
        writer.write(b"220 go ahead\r\n")
        await reader.read(5)  # the client's hello: answer it with plain text
        writer.write(b"this is not a TLS handshake\r\n" * 20)
        await writer.drain()
        await reader.read()
        writer.close()

    port = await fake_server(fake_starttls)
    smtp = settings(port).model_copy(update={"security": "starttls"})
    with pytest.raises(DeliveryError, match=r"smtp\.security") as info:
        await send_smtp(message(), sender=SENDER, recipients=["a@example.org"], smtp=smtp)
    assert info.value.permanent is False
    assert isinstance(info.value.__cause__, ssl.SSLError)


async def test_tls_to_a_plain_server_is_transient(smtp_server: tuple[Mailbox, int]) -> None:
    _, port = smtp_server
    smtp = settings(port).model_copy(update={"security": "tls"})
    with pytest.raises(DeliveryError, match=r"smtp\.security") as info:
        await send_smtp(message(), sender=SENDER, recipients=["a@example.org"], smtp=smtp)
    assert info.value.permanent is False


# --- real TLS: needs a certificate, made with `cryptography` when it is installed ---------


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, as (cert.pem, key.pem)."""
    pytest.importorskip(
        "cryptography",
        reason="TLS/STARTTLS tests need the cryptography package to make a test certificate; "
        "it is not installed (the code paths of TLS failures are covered without it)",
    )
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "notifier test relay")])
    now = datetime.now(UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


async def test_tls_delivers(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust the test certificate
    with serve_smtp(ssl_context=server_context(certificate)) as (server, port):
        smtp = settings(port).model_copy(update={"security": "tls"})
        await send_smtp(message(), sender=SENDER, recipients=["a@example.org"], smtp=smtp)
        assert len(server.envelopes) == 1


async def test_starttls_delivers_with_login(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    serving = serve_smtp(
        tls_context=server_context(certificate),
        require_starttls=True,
        authenticator=_authenticate,
    )
    with serving as (server, port):
        smtp = settings(port, username="notifier", password=PASSWORD)
        smtp = smtp.model_copy(update={"security": "starttls"})
        await send_smtp(message(), sender=SENDER, recipients=["a@example.org"], smtp=smtp)
        assert len(server.envelopes) == 1


async def test_untrusted_certificate_is_reported(certificate: tuple[Path, Path]) -> None:
    with serve_smtp(tls_context=server_context(certificate)) as (_, port):
        smtp = settings(port).model_copy(update={"security": "starttls"})
        with pytest.raises(DeliveryError, match="certificate") as info:
            await send_smtp(message(), sender=SENDER, recipients=["a@example.org"], smtp=smtp)
        assert info.value.permanent is False


async def test_none_never_upgrades_even_when_offered(certificate: tuple[Path, Path]) -> None:
    # The server offers STARTTLS with a certificate the client does not trust: left to
    # itself aiosmtplib would upgrade and fail; security = "none" must stay in plain text.
    with serve_smtp(tls_context=server_context(certificate)) as (server, port):
        await send_smtp(message(), sender=SENDER, recipients=["a@example.org"], smtp=settings(port))
        assert len(server.envelopes) == 1
