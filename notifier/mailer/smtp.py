"""SMTP sessions with the relay: opened once, reused for many messages, each answer classified.

A message goes out as MAIL, RCPT and DATA on a session that stays open for the
next one, so ten thousand digests cost a handful of connections, not ten
thousand. Every failure becomes a `DeliveryError` that says what to fix and
what happens next:
- known and permanent (5xx): retrying the same message will not help;
- known and transient (4xx, refused connection, timeout before DATA): it was
  not sent; retried with backoff, then on the next run;
- unknown (the connection dropped or timed out after DATA was sent): the relay
  may have accepted it, so it is NOT retried in this run; the next run resends
  the same stored message once, with the same Message-ID;
- too big for the relay (its SIZE, or a 552): the caller splits the digest.
"""

from __future__ import annotations

import logging
import ssl

import aiosmtplib

from notifier.config import SmtpSettings
from notifier.errors import DeliveryError

log = logging.getLogger("notifier.mailer")

_TRANSPORT = (
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPTimeoutError,
    ConnectionError,
    TimeoutError,
)


def _security(smtp: SmtpSettings) -> tuple[bool, bool]:
    """(use_tls, start_tls); 'none' says start_tls=False so aiosmtplib never upgrades on its own."""
    if smtp.security == "tls":
        return True, False
    if smtp.security == "starttls":
        return False, True
    return False, False


class Session:
    """One SMTP connection to the relay, logged in, ready for the next message."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self.smtp = smtp
        self.where = f"SMTP server {smtp.host}:{smtp.port}"
        use_tls, start_tls = _security(smtp)
        username = smtp.username or None
        self.client = aiosmtplib.SMTP(
            hostname=smtp.host,
            port=smtp.port,
            use_tls=use_tls,
            start_tls=start_tls,
            username=username,
            password=smtp.password.get_secret_value() if username else None,
            timeout=smtp.timeout,
        )

    @property
    def open(self) -> bool:
        """Connected and usable for another message."""
        return bool(self.client.is_connected)

    @property
    def size_limit(self) -> int | None:
        """The largest message the relay takes (its SIZE extension), if it says."""
        value = self.client.esmtp_extensions.get("size", "")
        return int(value) if value.strip().isdigit() and int(value) > 0 else None

    async def connect(self) -> None:
        """Connect, STARTTLS and log in as the config says; errors say what to check."""
        try:
            await self.client.connect()
        except aiosmtplib.SMTPAuthenticationError as e:
            raise DeliveryError(
                f"{self.where} refused the login for {self.smtp.username!r} ({e.code} "
                f"{e.message}); check smtp.username and the password (NOTIFIER_SMTP__PASSWORD)",
                retry_now=False,
            ) from e
        except (aiosmtplib.SMTPTimeoutError, TimeoutError) as e:
            raise DeliveryError(
                f"{self.where} did not answer within {self.smtp.timeout:g} s ({e}); check "
                "smtp.host and smtp.port, or raise smtp.timeout for a slow relay; "
                "it will be retried",
                relay_down=True,
            ) from e
        except (aiosmtplib.SMTPConnectError, *_TRANSPORT) as e:
            raise DeliveryError(
                f"cannot talk to {self.where} ({e or type(e).__name__}); check that it runs and "
                f"that smtp.host, smtp.port and smtp.security ({self.smtp.security!r}) match "
                "it; it will be retried",
                relay_down=True,
            ) from e
        except ssl.SSLError as e:
            raise DeliveryError(
                f"TLS with {self.where} failed ({e}); check smtp.security "
                f"({self.smtp.security!r}: 'tls' for port 465, 'starttls' for 587) and the "
                "server's certificate; it will be retried",
                relay_down=True,
            ) from e
        except aiosmtplib.SMTPException as e:
            raise DeliveryError(
                f"{self.where}: {e}; check smtp.security ({self.smtp.security!r}) and "
                "smtp.username against what the server offers",
                retry_now=False,
            ) from e

    async def send(self, message: bytes, sender: str, recipients: list[str]) -> None:
        """MAIL, RCPT, DATA; return only once the relay has accepted the message.

        A recipient refused among several is logged, not raised: the others took
        the message, and retrying would send it to them twice.
        """
        limit = self.size_limit
        if limit is not None and len(message) > limit:
            raise DeliveryError(
                f"the digest is {len(message):,} bytes, more than {self.where} takes "
                f"({limit:,}, its SIZE); it is split into smaller digests",
                too_big=limit,
            )
        options = [f"SIZE={len(message)}"] if limit is not None else []
        refused: list[aiosmtplib.SMTPRecipientRefused] = []
        try:
            await self.client.mail(sender, options=options)
            for recipient in recipients:
                try:
                    await self.client.rcpt(recipient)
                except aiosmtplib.SMTPRecipientRefused as e:
                    refused.append(e)
        except aiosmtplib.SMTPSenderRefused as e:
            raise self._refused_sender(e, len(message)) from e
        except aiosmtplib.SMTPResponseException as e:
            raise _answered(self.where, e) from e
        except _TRANSPORT as e:
            raise DeliveryError(
                f"{self.where} dropped the connection before the message was sent "
                f"({e or 'closed'}); it will be retried",
                relay_down=True,
            ) from e
        if len(refused) == len(recipients):
            await self._reset()
            answers = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in refused)
            raise DeliveryError(
                f"{self.where} refused the recipient(s): {answers}; check the subscriber's address",
                permanent=all(r.code >= 500 for r in refused),
            )
        for r in refused:
            log.warning("%s refused %s (%s %s)", self.where, r.recipient, r.code, r.message)
        try:
            await self.client.data(message)
        except aiosmtplib.SMTPResponseException as e:
            if e.code == 552:
                raise DeliveryError(
                    f"{self.where} refused the digest as too large ({e.code} {e.message}); "
                    "it is split into smaller digests",
                    too_big=max(len(message) // 2, 1),
                ) from e
            raise _answered(self.where, e) from e
        except _TRANSPORT as e:
            raise DeliveryError(
                f"{self.where} dropped or timed out after the message was sent "
                f"({e or type(e).__name__}): it may have been delivered; the next run sends "
                "the same message (same Message-ID) once more, not this run",
                unknown=True,
            ) from e

    def _refused_sender(self, e: aiosmtplib.SMTPSenderRefused, size: int) -> DeliveryError:
        if e.code == 552 or "size" in e.message.lower():
            return DeliveryError(
                f"{self.where} refused a {size:,}-byte digest as too large ({e.code} "
                f"{e.message}); it is split into smaller digests",
                too_big=max(size // 2, 1),
            )
        return DeliveryError(
            f"{self.where} refused the sender {e.sender!r} ({e.code} {e.message}); "
            "check smtp.sender: the relay must accept mail from that address",
            permanent=e.code >= 500,
        )

    async def _reset(self) -> None:
        """RSET after a refusal, so the session can carry the next message."""
        try:
            await self.client.rset()
        except (aiosmtplib.SMTPException, *_TRANSPORT, OSError):
            self.client.close()

    async def close(self) -> None:
        """QUIT if the relay still listens; a broken connection is just dropped."""
        if not self.client.is_connected:
            return
        try:
            await self.client.quit()
        except (aiosmtplib.SMTPException, *_TRANSPORT, OSError):
            self.client.close()


def _answered(where: str, e: aiosmtplib.SMTPResponseException) -> DeliveryError:
    later = "it will be retried on the next run" if e.code < 500 else "it was not retried"
    return DeliveryError(f"{where} answered {e.code} {e.message}; {later}", permanent=e.code >= 500)


async def send_smtp(
    message: bytes, *, sender: str, recipients: list[str], smtp: SmtpSettings
) -> None:
    """Send one message on a session of its own (for a single message, and tests)."""
    session = Session(smtp)
    try:
        await session.connect()
        await session.send(message, sender, recipients)
    finally:
        await session.close()
