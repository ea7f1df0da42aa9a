"""Realistic customer conversations across the Meta channels, as webhook payloads: DMs on
Messenger, Instagram and WhatsApp (text, a photo, a quick reply, a button), comments on an
Instagram post and a Facebook post, a comment edited and one removed, a reaction, a read
receipt. Used by ``assistant simulate`` and the demo."""

from __future__ import annotations

from typing import Any

from assistant.channels.meta.simulator.payloads import (
    IG,
    PAGE,
    T0,
    attachment,
    dm,
    feed_comment,
    ig_comment,
    messaging_entry,
    page_batch,
    reaction,
    receipt,
    wa_message,
    whatsapp,
)

QUESTIONS = [
    "Hi! Do you ship to Norway, and how long does it take?",
    "Is the linen shirt available in size M?",
    "Where is my order NB-20417? It has been a week.",
    "Can I return shoes that I wore once?",
    "What are your opening hours on Sunday?",
    "Do you have a store in Lisbon?",
]


def conversations(count: int = 1, start: int = 0) -> list[dict[str, Any]]:
    """``count`` rounds of every kind of event; ids differ per round (``start`` offsets
    them), so rounds never collide."""
    payloads: list[dict[str, Any]] = []
    for n in range(start, start + count):
        ask = QUESTIONS[n % len(QUESTIONS)]
        ts = T0 + n * 1000
        payloads += [
            page_batch(messaging_entry(PAGE, dm(PAGE, f"psid-{n}", f"m_fb_{n}", ask, ts=ts))),
            page_batch(
                messaging_entry(
                    IG,
                    dm(IG, f"igsid-{n}", f"aWdf_{n}", "Größe 40 für mich?", ts=ts),
                    dm(
                        IG,
                        f"igsid-{n}",
                        f"aWdf_{n}_p",
                        ts=ts + 1,
                        attachments=[attachment("image")],
                    ),
                ),
                object="instagram",
            ),
            page_batch(ig_comment(f"1790{n:06d}", ask, user=f"1785{n:06d}"), object="instagram"),
            page_batch(feed_comment("add", f"{PAGE}_c{n}", ask, sender=f"55{n:06d}")),
            page_batch(
                feed_comment("edited", f"{PAGE}_c{n}", ask + " (edited)", sender=f"55{n:06d}")
            ),
            page_batch(
                messaging_entry(
                    PAGE,
                    dm(
                        PAGE,
                        f"psid-{n}",
                        f"m_fb_{n}_q",
                        "Track order",
                        ts=ts + 2,
                        quick_reply={"payload": "TRACK_ORDER"},
                    ),
                    reaction(PAGE, f"psid-{n}", f"m_fb_{n}"),
                    receipt(PAGE, f"psid-{n}", "read"),
                )
            ),
            whatsapp(
                messages=[
                    wa_message(
                        f"wamid.SIMIN{n:06d}",
                        "text",
                        {"body": ask},
                        sender=f"55119{n:08d}",
                        ts=ts // 1000,
                    ),
                    wa_message(
                        f"wamid.SIMIN{n:06d}b",
                        "button",
                        {"text": "Talk to a person", "payload": "HUMAN"},
                        sender=f"55119{n:08d}",
                        ts=ts // 1000 + 1,
                    ),
                ],
                wa_id=f"55119{n:08d}",
            ),
        ]
        if n % 3 == 2:  # now and then a customer deletes their comment
            payloads.append(page_batch(feed_comment("remove", f"{PAGE}_c{n}", sender=f"55{n:06d}")))
    return payloads
