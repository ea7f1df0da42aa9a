"""The SQL-backed order store: ``assistant ingest`` loads the sample orders into it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, bindparam, delete
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from assistant.knowledge.orders import Customer, Order
from assistant.knowledge.orders import normalised_handle as _norm


class OrderRecord(SQLModel, table=True):
    __tablename__ = "orders"

    order_id: str = Field(primary_key=True)
    customer_id: str = Field(index=True)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class CustomerRecord(SQLModel, table=True):
    __tablename__ = "customers"

    customer_id: str = Field(primary_key=True)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class CustomerHandle(SQLModel, table=True):
    __tablename__ = "customer_handles"

    channel: str = Field(primary_key=True)
    handle: str = Field(primary_key=True)  # lower-cased, without a leading '@'
    customer_id: str = Field(index=True)


# Asked for every message, so built once with its values bound per call. The handle and
# its customer in one query (outer join: a handle whose customer is gone still answers "no
# customer", as two lookups would).
_CUSTOMER_BY_HANDLE = (
    select(CustomerHandle.customer_id, CustomerRecord.data)
    .outerjoin(CustomerRecord, col(CustomerRecord.customer_id) == col(CustomerHandle.customer_id))
    .where(
        CustomerHandle.channel == bindparam("channel"),
        CustomerHandle.handle == bindparam("handle"),
    )
)


class SqlOrderStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def replace_all(self, orders: list[Order], customers: list[Customer]) -> None:
        """The knowledge folder is the source of truth: replace what was loaded before."""
        with Session(self.engine) as session:
            for table in (OrderRecord, CustomerRecord, CustomerHandle):
                session.exec(delete(table))
            for order in orders:
                session.add(
                    OrderRecord(
                        order_id=order.order_id.upper(),
                        customer_id=order.customer_id,
                        data=order.model_dump(mode="json"),
                    )
                )
            for customer in customers:
                session.add(
                    CustomerRecord(
                        customer_id=customer.customer_id, data=customer.model_dump(mode="json")
                    )
                )
                for channel, handle in customer.handles.items():
                    session.add(
                        CustomerHandle(
                            channel=channel, handle=_norm(handle), customer_id=customer.customer_id
                        )
                    )
            session.commit()

    def order(self, order_id: str) -> Order | None:
        with Session(self.engine) as session:
            record = session.get(OrderRecord, order_id.upper())
            return Order.model_validate(record.data) if record else None

    def orders_for(self, customer_id: str) -> list[Order]:
        with Session(self.engine) as session:
            records = session.exec(
                select(OrderRecord).where(OrderRecord.customer_id == customer_id)
            )
            orders = [Order.model_validate(r.data) for r in records]
        return sorted(orders, key=lambda o: o.ordered_on, reverse=True)

    def customer(self, customer_id: str) -> Customer | None:
        with Session(self.engine) as session:
            record = session.get(CustomerRecord, customer_id)
            return Customer.model_validate(record.data) if record else None

    def customer_for(self, channel: str, author_id: str, handle: str | None) -> Customer | None:
        candidates = {_norm(h) for h in (author_id, handle) if h}
        if not candidates:
            return None
        with self.engine.connect() as conn:  # read only: no ORM session needed
            for candidate in candidates:
                wanted = {"channel": channel, "handle": candidate}
                row = conn.execute(_CUSTOMER_BY_HANDLE, wanted).first()
                if row is not None:
                    data = row[1]
                    return Customer.model_validate(data) if data is not None else None
        return None

    def counts(self) -> tuple[int, int]:
        with Session(self.engine) as session:
            orders = len(session.exec(select(OrderRecord.order_id)).all())
            customers = len(session.exec(select(CustomerRecord.customer_id)).all())
        return orders, customers
