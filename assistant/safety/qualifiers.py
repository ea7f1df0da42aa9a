"""Conditions and scopes of a claim, read as structured facts: "free on orders of $75 or
more", "within 30 days", "until it ships", "within the US", "Monday to Friday",
"unworn", "everything else", "bought from fernhillgoods.example". A draft sentence that
widens one of these ("free on every order", "at any time", "wherever you live", "weekends
included", "every item"), changes it ("outside the US" for "within the US", "the US" for
"Oregon") or drops the threshold or place that makes something free, says more than the
knowledge does; word overlap cannot see it, because the words that changed are few and
small.

Pure functions on text: claims.py aligns each draft sentence with its closest knowledge
sentences and asks here whether the draft keeps their qualifiers."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from assistant.safety.facts import amounts
from assistant.safety.stances import NO_COST, plain


class Facet(StrEnum):
    """What a qualifier restricts."""

    amount = "order amount"
    time = "time limit"
    place = "place"
    days = "days"
    cutoff = "time of day"
    item = "which items"
    source = "where it was bought"
    when = "when it applies"
    start = "when the period starts"
    unit = "what a price is counted per"
    care = "way it is washed"


_PLACES = (
    r"(?:the )?(?:us|u\.s\.|united states|usa|oregon|eu|european union|uk|canada|mexico"
    r"|australia|japan|contiguous us|continental us|lower 48)"
)
# A restriction names the condition; its value tells two restrictions apart.
# The event a period is counted from, up to what the period is for: "30 days from delivery
# to send it back" counts from the delivery.
EVENT = (
    r"(?:(?!\bto (?:send|return|mail|post|ship|start|request|ask|make|file|claim|exchange)\b)"
    r"[^,.;:!?]){1,60}"
)
RESTRICTION: dict[Facet, re.Pattern[str]] = {
    Facet.amount: re.compile(
        r"\$\s?\d[\d,.]*\s+(?:or more|or over|and up|and over|or above|or higher|minimum)\b"
        r"|\b(?:over|above|more than|at least|reaches|reach|exceeds?)\s+\$\s?\d"
        r"|\borders? (?:of|over|above|from) \$\s?\d"
    ),
    Facet.time: re.compile(
        r"\bwithin (?:the first )?(?:\d+|one|two|three|a|an)\s+(?:business |calendar )?"
        r"(?:days?|weeks?|months?|hours?|years?)\b"
        r"|\b\d+ (?:days?|weeks?) (?:from|after|of)\b"
        r"|\b(?:until|till|before|as long as) (?:it|the order|your order|an order|the parcel|they)"
        r" (?:ships|has shipped|is shipped|hasn't shipped|leaves)\b"
        r"|\bhasn't shipped\b|\bfor \d+ (?:days|weeks|months|years)\b"
        r"|\b(?:after|once)\b[^.;,:]*\b(?:shipped|with the carrier)\b"
    ),
    Facet.place: re.compile(
        rf"\b(?:within|in|inside|outside) {_PLACES}\b"
        r"|\b(?:us|u\.s\.|oregon|domestic|international) (?:orders?|customers?|address(?:es)?"
        r"|returns?|shipments?|deliveries)\b"
    ),
    Facet.cutoff: re.compile(
        r"\b(?:before|by|until|after) \d{1,2}(?::\d\d)? ?[ap]\.?m\b|\b(?:placed|ordered) later\b"
        r"|\blater (?:orders|ones)\b"
        # A time of day past any cut-off: "placed late at night", "in the evening".
        r"|\b(?:placed|ordered|order) (?:late at night|at night|in the evening|late in the day"
        r"|after hours|overnight|late)\b"
    ),
    Facet.days: re.compile(
        r"\bmonday to friday\b|\bmonday through friday\b|\bmon-fri\b|\bweekdays?\b"
        r"|\bon (?:a )?business days?\b"
    ),
    Facet.item: re.compile(
        r"\b(?:unworn|unwashed|unused|unopened)\b|\boriginal (?:tags|packaging)\b"
        r"|\b(?:that|which) (?:isn't|aren't|is not|are not)\b|\bnot marked\b"
        r"|\bfor (?:a |an )?(?:damaged|faulty|wrong|defective)\b"
        r"|\b(?:arrive[sd]?|came|comes?) (?:damaged|faulty|defective|broken)\b"
        r"|\b(?:the|a) (?:wrong|damaged|faulty|defective) (?:item|one|product|piece)\b"
        r"|\b(?:damaged|faulty|defective) or wrong\b"
        r"|\beverything else\b|\b(?:all|any) other\b|\bexcept\b|\bother than\b|\bapart from\b"
    ),
    # "bought from fernhillgoods.example" (sentence splitting may have cut the domain).
    Facet.source: re.compile(
        r"\b(?:bought|purchased) (?:directly )?(?:from|at|on) (?!any\b|an?\b)[\w-]+"
    ),
    Facet.when: re.compile(
        r"\bonly (?:when|if|for|on|with|after|once)\b|\bas long as\b|\bprovided (?:that )?\b"
        r"|\bunless\b|\bon condition\b"
    ),
    # "they keep their size when you wash them cold": a care label's condition.
    Facet.care: re.compile(r"\bwhen (?:you )?(?:wash|washed|dry|dried)\b"),
    # "30 days of delivery", "2 years from the delivery date", "a warranty that starts from
    # the date you place your order": the event a period is counted from.
    Facet.start: re.compile(
        r"\b(?:\d+|one|two|three|four|five|six|seven|ten|fourteen|thirty|a|an)[\s-]+"
        r"(?:business |calendar |working )?(?:days?|weeks?|months?|years?)\s+"
        rf"(?:from|of|after|following)\s+{EVENT}"
        r"|\b(?:starts?|starting|begins?|beginning|counts?|counted|counting)"
        rf" (?:from|on|when|at)\s+{EVENT}"
    ),
    # "$25 per order", "$5 per item": what a flat price is counted per.
    Facet.unit: re.compile(
        r"\bper (?:items?|products?|pieces?|gifts?|orders?|purchases?|checkouts?|transactions?"
        r"|parcels?|packages?|boxe?s?|shipments?|persons?|people|customers?|address(?:es)?)\b"
    ),
}
# "per purchase" is "per order": the thing a price is counted on, by its kind.
PER_UNIT = {
    "item": "item", "product": "item", "piece": "item", "gift": "item",
    "order": "order", "purchase": "order", "checkout": "order", "transaction": "order",
    "parcel": "parcel", "package": "parcel", "box": "parcel", "boxe": "parcel",
    "shipment": "parcel", "person": "customer", "people": "customer",
    "customer": "customer", "address": "address", "addresse": "address",
}  # fmt: skip
# The events a period is counted from, first match wins: "the day your order ships" is the
# shipping, not the order; "your return arriving at our warehouse" is not a delivery.
PERIOD_STARTS = (
    (
        "your return arriving",
        re.compile(
            r"\breturns?\b.*\b(?:arriv|reach|gets? (?:to|back)|land|received)"
            r"|\b(?:we|warehouse|us) (?:receiv|get)\w*|\b(?:receiv|get)\w* (?:your |the )?return"
            r"|\b(?:receiv|get|hav)\w* (?:it|them) back\b"
        ),
    ),
    (
        "your return leaving you",
        re.compile(
            r"\bpick\w* (?:it |them )?up\b|\bdrop\w* (?:it |them |(?:your|the) \w+ )?off\b"
            r"|\bscan|\bcollect"
            r"|\b(?:send|sent|mail|post)\w* (?:us )?(?:your |the |it |them )?(?:return|back)\b"
        ),
    ),
    ("shipping", re.compile(r"\bship|\bdispatch|\bleaves? (?:our|the) warehouse|\bsent out\b")),
    ("delivery", re.compile(r"\bdeliver|\barriv|\breceiv|\bget (?:it|them|your order)\b")),
    ("the order", re.compile(r"\border|\bpurchas|\bbought|\bbuy|\bcheck(?:ing)? ?out")),
)


ON_ITS_WAY = re.compile(r"\bon (?:its|their) way\b|\bin transit\b")
# Placing an order, said with its verb: "your order" alone names no step ("as soon as your
# order's on its way" is shipping).
ORDERING = re.compile(r"\b(?:plac\w*|purchas\w*|bought|buy\w*|check(?:ing)? ?out|you order\w*)\b")


def stage(event: str, strict: bool = False) -> str | None:
    """Which step of an order's life the words name ("the parcel is delivered": delivery);
    ``strict``: the order only where a verb says it was placed, and shipping said as "on its
    way" too."""
    if strict and ON_ITS_WAY.search(event):
        return "shipping"
    step = next((name for name, said in PERIOD_STARTS if said.search(event)), None)
    if strict and step == "the order" and not ORDERING.search(event):
        return None
    return step


# Saying the condition does not hold: "on every order", "at any time", "wherever you live".
UNIVERSAL: dict[Facet, re.Pattern[str]] = {
    Facet.amount: re.compile(
        r"\b(?:every|all|any|each) (?:(?:us|single|size of|of your|our) )?(?:orders?|purchases?)\b"
        r"|\bwhatever the (?:total|order (?:size|total)|amount|size)\b"
        r"|\bregardless of (?:the )?(?:total|amount|order size|what you spend)\b"
        r"|\bno minimum\b|\bhowever (?:much|little) you spend\b"
        r"|\bno matter (?:the|how) (?:total|big|small|much)"
        r"|\bany (?:order )?(?:size|amount|total)\b"
    ),
    Facet.time: re.compile(
        r"\b(?:at any time|any ?time|at any point|whenever you (?:like|want|need)|no time limit"
        r"|without (?:a|any) time limit|forever|indefinitely|no deadline|there's no rush"
        r"|no matter (?:how long|when)|however long|no rush(?: at all)?|in your own time"
        r"|whenever (?:it suits you|you're ready|you get (?:a|the) chance))\b"
        r"|\beven (?:after|once)\b[^.;,:]*\b(?:ships|shipped|with the carrier)\b"
    ),
    Facet.place: re.compile(
        r"\bwherever\b|\b(?:every|any|all) countr(?:y|ies)\b|\bworldwide\b|\banywhere\b(?! in)"
        r"|\bno matter where\b|\bevery(?:one| customer)\b|\ball customers\b"
        r"|\bany (?:address|destination)\b|\ball over the world\b|\bglobally\b"
        r"|\bregardless of where\b|\bincluding international\b"
        r"|\binternational (?:orders|customers) too\b"
    ),
    Facet.days: re.compile(
        r"\bweekends? included\b|\bincluding (?:on )?weekends\b"
        r"|\b(?:on )?weekends (?:too|as well)\b"
        r"|\bseven days a week\b|\b7 days a week\b|\bevery day\b|\b24/7\b|\baround the clock\b"
        r"|\bany day\b|\b(?:saturdays?|sundays?) (?:too|included)\b"
    ),
    Facet.item: re.compile(
        r"\b(?:every|any|all|each) (?:of )?(?:our )?(?:items?|products?|pieces?|things?)\b"
        r"|\beverything\b(?! else)|\bany condition\b|\bwhatever (?:its|the) condition\b"
        r"|\b(?:worn|used|washed) or not\b|\bin any state\b"
        r"|\beven if (?:it's|it has|they've|they have|you've)(?: been)?"
        r" (?:worn|used|washed|opened)\b"
    ),
    Facet.source: re.compile(
        r"\b(?:from|at) any (?:of our )?(?:other )?(?:retailers?|stores?|shops?|sellers?"
        r"|websites?|stockists?|resellers?|marketplaces?|partners?)\b"
        r"|\bwherever you bought\b|\bno matter where you bought\b"
        r"|\bsecond-?hand\b|\bpre-?owned\b|\bfrom (?:a |any )?(?:reseller|third part(?:y|ies))\b"
        r"|\b(?:doesn't|does not|won't|will not) matter where you bought\b"
        r"|\bwhether you bought (?:it|them)\b[^.;]*\bor\b"
        r"|\bfrom (?:one of )?our (?:stockists|retailers|resellers|partners)\b"
    ),
    Facet.when: re.compile(
        r"\bwhatever the reason\b|\bno matter (?:why|what|the reason)\b|\bin (?:all|every) cases?\b"
        r"|\bno questions asked\b|\bfor any reason\b|\bwithout conditions?\b"
        r"|\bno strings attached\b|\bwhether or not\b"
        r"|\b(?:on|for|with) (?:every|all|any|each) (?:returns?|refunds?|claims?|exchanges?)\b"
    ),
    # "they'll keep their size no matter how you wash or dry them"
    Facet.care: re.compile(r"\b(?:no matter how|however|whichever way) you (?:wash|dry|clean)\b"),
}
# A qualifier of these facets is what makes a "free" claim true: dropping it widens it.
GATES_OF_FREE = (Facet.amount, Facet.place, Facet.item)
# "feel free to ask" offers nothing for free.
FREE = re.compile(r"(?<!-)(?<!feel )\bfree\b|" + NO_COST)
PLACE = re.compile(_PLACES)
# Any way of stating a condition: a claim with none has dropped an "only when" of its source.
CONDITIONAL = re.compile(
    r"\b(?:if|when|whenever|only|as long as|unless|provided|once|after|before|until|within"
    r"|except|but|so long as)\b|\b(?:that|which|who) (?:has|have|is|are)(?:n't| not)\b"
)


@dataclass(frozen=True)
class Qualifiers:
    restricted: dict[Facet, frozenset[str]]  # facet -> the restrictions' values
    universal: dict[Facet, str]  # facet -> the words that say "any"
    free: bool


@dataclass(frozen=True)
class QualifierChange:
    facet: Facet
    detail: str
    closest: str


def _normal(text: str) -> str:
    return plain(html.unescape(text))


SHIPS = re.compile(r"\b(?:ships?|shipped|with the carrier)\b")


def _value(facet: Facet, span: str) -> str:
    """What tells two restrictions of a facet apart (place: where and which side; time:
    before or after the order ships)."""
    if facet is Facet.time and SHIPS.search(span):
        return "after it ships" if span.startswith(("after", "once")) else "before it ships"
    if facet is Facet.cutoff:
        late = ("after", "later", "late", "night", "evening", "overnight")
        return "after the cut-off" if any(w in span for w in late) else "before the cut-off"
    if facet is Facet.unit:
        word = span.split()[-1]
        return f"per {PER_UNIT.get(word, PER_UNIT.get(word.removesuffix('s'), word))}"
    if facet is Facet.start:
        event = stage(span)
        return f"counted from {event}" if event else facet.value
    if facet is not Facet.place:
        return facet.value
    side = "outside" if span.startswith("outside") or span.startswith("international") else "in"
    place = PLACE.search(span.split(" ", 1)[1] if " " in span else span)
    named = (place.group(0) if place else "us").removeprefix("the ").replace(".", "")
    if span.startswith(("us ", "u.s. ", "domestic ")):
        named = "us"
    if span.startswith(("oregon ",)):
        named = "oregon"
    if named in ("united states", "usa", "contiguous us", "continental us", "lower 48"):
        named = "us"
    return f"{side} {named}"


@lru_cache(maxsize=8192)
def qualifiers(text: str) -> Qualifiers:
    text = _normal(text)
    restricted: dict[Facet, frozenset[str]] = {}
    universal: dict[Facet, str] = {}
    for facet, pattern in RESTRICTION.items():
        values = frozenset(_value(facet, m.group(0)) for m in pattern.finditer(text))
        if values:
            restricted[facet] = values
    for facet, pattern in UNIVERSAL.items():
        if found := pattern.search(text):
            universal[facet] = found.group(0)
    return Qualifiers(restricted, universal, FREE.search(text) is not None)


# Where an item was bought is said once for a whole policy ("The warranty applies to items
# bought from fernhillgoods.example"), seldom beside the sentence a claim aligns with.
STATED_ONCE = (Facet.source,)
COMPARED_VALUES = (Facet.place, Facet.time, Facet.cutoff, Facet.start, Facet.unit)
# Facets whose bare value ("time limit") says only that there is one: not compared.
GENERIC_VALUES = (Facet.time, Facet.start)


SET_ASIDE_PART = re.compile(r"(?:\b(?:rather than|instead of)|,\s*not)\b[^,;:.!?]*", re.I)


def widened(
    claim: str, aligned: list[str], anywhere: tuple[str, ...] = ()
) -> QualifierChange | None:
    """An "any" of the claim ("at any time", "on every return") where the aligned knowledge
    limits that facet and never says "any" of it."""
    mine = qualifiers(claim)
    theirs = [(s, qualifiers(s)) for s in aligned]
    for facet, words in mine.universal.items():
        if facet in mine.restricted or any(facet in q.universal for _, q in theirs):
            continue  # "any time until it ships", or the knowledge says "any" too
        limiting = [s for s, q in theirs if facet in q.restricted]
        if not limiting and facet in STATED_ONCE:
            policy = [(s, qualifiers(s)) for s in anywhere]
            if not any(facet in q.universal for _, q in policy):
                limiting = [s for s, q in policy if facet in q.restricted]
        if limiting:
            return QualifierChange(
                facet, f"'{words}' where the knowledge limits the {facet}", limiting[0]
            )
    return None


def changed_qualifier(
    claim: str, aligned: list[str], related: list[str], anywhere: tuple[str, ...] = ()
) -> QualifierChange | None:
    """How the claim widens or changes a qualifier of the knowledge sentences it is aligned
    with (closest first), or None. A qualifier any aligned sentence shares backs the claim.
    ``related``: the context sentences about the same thing, for where something is free;
    ``anywhere``: every context sentence, for the facets a policy states once for all."""
    if not aligned:
        return None
    if (wider := widened(claim, aligned, anywhere)) is not None:
        return wider
    # What the claim sets aside is no value of its own: "$5 per item, not per order".
    mine = qualifiers(SET_ASIDE_PART.sub(" ", claim))
    theirs = [(s, qualifiers(s)) for s in aligned]
    for facet, values in mine.restricted.items():
        if facet not in COMPARED_VALUES:
            continue  # other facets' values are the numeric guard's job
        known = [(s, q.restricted[facet]) for s, q in theirs if facet in q.restricted]
        if facet is Facet.unit and not known:
            # The same price counted per something else, said in a sentence about the same
            # thing ("gift wrapping for $5 per item" beside "Gift wrapping is $5 per order").
            known = [
                (s, q.restricted[facet])
                for s in related
                if facet in (q := qualifiers(s)).restricted and amounts(s) & amounts(claim)
            ]
        if facet in GENERIC_VALUES:
            values = values - {facet.value}
            known = [(s, v - {facet.value}) for s, v in known if v - {facet.value}]
        if values and known and not any(values & v for _, v in known):
            said = ", ".join(sorted(values))
            return QualifierChange(
                facet, f"'{said}' where the knowledge says '{sorted(known[0][1])[0]}'", known[0][0]
            )
    closest = theirs[0][1]
    stated = mine.restricted or CONDITIONAL.search(_normal(claim))
    if Facet.when in closest.restricted and not stated:
        return QualifierChange(
            Facet.when, "drops the knowledge's condition on when it applies", theirs[0][0]
        )
    if mine.free:
        seen = dict.fromkeys(aligned + related)
        return _free_without_its_condition(mine, [(t, qualifiers(t)) for t in seen])
    return None


def _free_without_its_condition(
    mine: Qualifiers, sentences: list[tuple[str, Qualifiers]]
) -> QualifierChange | None:
    """A "free" claim must keep the conditions under which the knowledge makes it free: a
    knowledge sentence backs it when the claim states every gate (threshold, place, which
    items) that sentence states, with a place in common."""
    free = [(s, q) for s, q in sentences if q.free]

    def backs(q: Qualifiers) -> bool:
        for facet in GATES_OF_FREE:
            if facet in q.restricted and facet not in mine.restricted:
                return False
        places, theirs = mine.restricted.get(Facet.place), q.restricted.get(Facet.place)
        return not (places and theirs and not places & theirs)

    if not free or any(backs(q) for _, q in free):
        return None
    # Quote the sentence whose condition the claim talks about ("wherever you live" -> the
    # sentence limited to a place), else the closest.
    spoken = mine.restricted.keys() | mine.universal.keys()
    text, q = min(free, key=lambda sq: not spoken & sq[1].restricted.keys())
    missing = [f for f in GATES_OF_FREE if f in q.restricted and f not in mine.restricted]
    if not missing:
        mine_at, theirs_at = sorted(mine.restricted[Facet.place]), sorted(q.restricted[Facet.place])
        detail = f"free for '{mine_at[0]}' where the knowledge says free for '{theirs_at[0]}'"
        return QualifierChange(Facet.place, detail, text)
    widened = mine.universal.get(missing[0])
    said = f"'{widened}'" if widened else "free"
    return QualifierChange(
        missing[0], f"{said} without the knowledge's condition on the {missing[0]}", text
    )


PAID_WITH = re.compile(r"\b(?:paid|pay|paying) (?:with|by|through|using) (?:a |an |your )?([\w-]+)")


def own_scope(clause: str) -> bool:
    """Whether a clause restricts what ``compatible`` compares (a place, a time of day, the
    way it was paid) itself: then it is read under that scope, not its sentence's."""
    mine = qualifiers(clause).restricted
    return PAID_WITH.search(_normal(clause)) is not None or any(
        mine.get(f) for f in (Facet.place, Facet.cutoff)
    )


# Asked for every (claim, context sentence) pair, again per clause of the claim and for the
# same knowledge sentences draft after draft: a pure function of the two texts, kept.
@lru_cache(maxsize=16384)
def compatible(claim: str, sentence: str) -> bool:
    """Whether a knowledge sentence can back the claim: not when both restrict a place, a
    time of day or the way it was paid and differ ("outside the US" is not backed by "within
    the US", "after 1 pm" not by "before 1 pm")."""
    paid, paid_there = PAID_WITH.search(_normal(claim)), PAID_WITH.search(_normal(sentence))
    if paid and paid_there and paid[1] != paid_there[1]:
        return False  # "if you paid with Pay in 4" is not backed by "… with a gift card"
    mine, theirs = qualifiers(claim).restricted, qualifiers(sentence).restricted
    return all(
        not (mine.get(f) and theirs.get(f) and not mine[f] & theirs[f])
        for f in (Facet.place, Facet.cutoff)
    )
