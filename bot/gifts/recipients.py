"""Reading a campaign's recipients from CSV: a header row with at least `name`; optional `email`,
`company`, `address`, `owner` (a Slack user id or mention). Pure: no database, no Slack."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from bot.slack.payloads import clean_text

MAX_RECIPIENTS = 5000
COLUMNS = ("name", "email", "company", "address", "owner")
_OWNER = re.compile(r"<?@?([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>?")


class RecipientsError(ValueError):
    """The CSV cannot be read as recipients; the message says what to fix."""


@dataclass(frozen=True)
class Recipient:
    """One row of the CSV."""

    name: str
    email: str | None = None
    company: str | None = None
    address: str | None = None
    owner: str | None = None

    @property
    def key(self) -> str:
        """The name as it is matched: any case, any spacing."""
        return name_key(self.name)


def name_key(name: str) -> str:
    """A name folded for matching: `/dibs gift 12 missed ana  lee` finds "Ana Lee"."""
    return " ".join(name.casefold().split())[:200]


def _cell(row: dict[str, str | None], column: str, limit: int) -> str | None:
    value = clean_text(str(row.get(column) or "")).strip()
    return value[:limit] or None


def read_recipients(text: str) -> list[Recipient]:
    """The recipients in a CSV text, in file order, each name once; RecipientsError says what is wrong."""
    text = text.lstrip("\ufeff")  # a byte order mark, as spreadsheets write it
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in reader.fieldnames or []]
    except csv.Error as error:
        raise RecipientsError(f"the file is not CSV ({error})") from None
    if "name" not in header:
        raise RecipientsError(
            "the first row must name the columns, with at least `name` (and maybe email, company, address, owner)"
        )
    reader.fieldnames = header
    recipients: dict[str, Recipient] = {}
    try:
        for number, row in enumerate(reader, start=2):
            name = _cell(row, "name", 200)
            if name is None:
                continue
            if len(recipients) >= MAX_RECIPIENTS:
                raise RecipientsError(f"at most {MAX_RECIPIENTS} recipients a campaign (row {number} is one too many)")
            owner = _OWNER.fullmatch(_cell(row, "owner", 60) or "")
            recipient = Recipient(
                name=name, email=_cell(row, "email", 200), company=_cell(row, "company", 200),
                address=_cell(row, "address", 500), owner=owner.group(1) if owner else None,
            )  # fmt: skip
            recipients.setdefault(recipient.key, recipient)
    except csv.Error as error:
        raise RecipientsError(f"the file is not CSV ({error})") from None
    if not recipients:
        raise RecipientsError("the file has no recipients: every row's `name` is empty")
    return list(recipients.values())
