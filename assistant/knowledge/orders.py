"""CSV data in the knowledge folder (orders, customers, routing examples), validated row by
row.
In production a shop connector implements the same ``OrderStore`` interface."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.intake.messages import Channel
from assistant.knowledge.documents import OrderStatus
from assistant.safety.topics import Topic

TRACKING_URLS = {
    "UPS": "https://www.ups.com/track?tracknum={}",
    "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "FedEx": "https://www.fedex.com/fedextrack/?trknbr={}",
    "DHL": "https://www.dhl.com/en/express/tracking.html?AWB={}",
}


def normalised_handle(handle: str) -> str:
    """How handles are stored and matched: lower-cased, without a leading '@'."""
    return handle.strip().lstrip("@").lower()


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    customer_id: str = Field(min_length=1)
    first_name: str = Field(min_length=1)
    last_name: str = ""
    email: str = ""
    handles: dict[str, str] = Field(default_factory=dict)  # channel -> handle or id
    vip: bool = False

    @field_validator("handles", mode="before")
    @classmethod
    def _parse_handles(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        handles: dict[str, str] = {}
        for pair in filter(None, (p.strip() for p in value.split(";"))):
            channel, sep, handle = pair.partition(":")
            if not sep or not handle.strip():
                raise ValueError(f"{pair!r} is not 'channel:handle'")
            if channel.strip() not in Channel.__members__:
                raise ValueError(f"unknown channel {channel.strip()!r} in {pair!r}")
            handles[channel.strip()] = handle.strip()
        return handles


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    order_id: str = Field(min_length=3)
    customer_id: str = Field(min_length=1)
    items: list[str] = Field(min_length=1)
    status: OrderStatus
    carrier: str | None = None
    tracking_number: str | None = None
    ordered_on: date
    shipped_on: date | None = None
    estimated_delivery: date | None = None
    delivered_on: date | None = None
    total: Decimal = Field(ge=0)
    currency: str = Field("USD", min_length=3, max_length=3)

    @field_validator("items", mode="before")
    @classmethod
    def _split_items(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        return value

    @field_validator(
        "carrier",
        "tracking_number",
        "shipped_on",
        "estimated_delivery",
        "delivered_on",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("carrier")
    @classmethod
    def _known_carrier(cls, value: str | None) -> str | None:
        if value is not None and value not in TRACKING_URLS:
            raise ValueError(f"unknown carrier; use one of {', '.join(TRACKING_URLS)}")
        return value

    @property
    def product_name(self) -> str:
        """The first item without its quantity, e.g. 'Merino Crew Sweater (M)'."""
        first = self.items[0]
        name, sep, qty = first.rpartition(" x")
        return name if sep and qty.strip().isdigit() else first

    @property
    def tracking_url(self) -> str | None:
        if not self.carrier or not self.tracking_number:
            return None
        return TRACKING_URLS[self.carrier].format(self.tracking_number)

    def facts(self) -> str:
        """The order as plain text: what drafts may quote and the grounding guard checks."""
        lines = [
            f"Order {self.order_id}: {self.status.value.replace('_', ' ')}",
            f"Items: {'; '.join(self.items)}",
            f"Ordered on {self.ordered_on.isoformat()}",
            f"Total: {self.total} {self.currency}",
        ]
        if self.carrier:
            lines.append(f"Carrier: {self.carrier}, tracking number {self.tracking_number}")
        if self.tracking_url:
            lines.append(f"Tracking link: {self.tracking_url}")
        for label, value in (
            ("Shipped on", self.shipped_on),
            ("Estimated delivery", self.estimated_delivery),
            ("Delivered on", self.delivered_on),
        ):
            if value:
                lines.append(f"{label} {value.isoformat()}")
        return "\n".join(lines)


class RoutingExample(BaseModel):
    """A labelled message the brand keeps in ``routing/examples.csv`` to teach the router."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=2, max_length=2000)
    topic: Topic


class OrderStore(Protocol):
    """What the pipeline needs from a shop: orders by id, customers by channel identity."""

    def order(self, order_id: str) -> Order | None: ...

    def orders_for(self, customer_id: str) -> list[Order]: ...

    def customer_for(self, channel: str, author_id: str, handle: str | None) -> Customer | None: ...


R = TypeVar("R", bound=BaseModel)


def read_rows(text: str, model: type[R], where: str, problems: list[str]) -> list[tuple[int, R]]:
    """Validate every row; problems name the file, the line and the column. Rows come with
    their line. Cells are never quoted back: a file may hold what it should not (a key)."""
    rows: list[tuple[int, R]] = []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = list(reader.fieldnames or [])
        expected = list(model.model_fields)
        if set(header) != set(expected) or len(header) != len(expected):
            missing = sorted(set(expected) - set(header))
            extra = [str(n) for n, name in enumerate(header, 1) if name not in expected]
            problems.append(
                f"{where}:1: header must be {','.join(expected)}"
                + (f"; missing {missing}" if missing else "")
                + (f"; unexpected column {', '.join(extra)}" if extra else "")
                + ("; a column is repeated" if len(set(header)) != len(header) else "")
            )
            return rows
        for record in reader:
            line = reader.line_num
            if None in record or None in record.values():
                problems.append(f"{where}:{line}: expected {len(expected)} cells in this row")
                continue
            try:
                rows.append((line, model.model_validate(record)))
            except ValidationError as exc:
                for err in exc.errors():
                    column = ".".join(str(p) for p in err["loc"])
                    problems.append(f"{where}:{line}: {column}: {err['msg']}")
    except csv.Error as exc:  # e.g. a cell over the 128 KiB field limit
        # The row that failed was not counted yet: it starts on the next line.
        problems.append(f"{where}:{reader.line_num + 1}: not a readable CSV row ({exc})")
    return rows
