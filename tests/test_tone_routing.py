"""Social posts: frustration said the way people post it reaches a person with the words
that showed it, and a calm question or thank-you is not sent to a person on the similarity
vote alone (the tone head), while a plain chat message keeps the vote as before."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.knowledge.embeddings import shared_embedder
from assistant.knowledge.loader import load_knowledge
from assistant.safety.detectors import PatternDetector
from assistant.safety.similarity import SimilarityDetector
from assistant.safety.social import social_normalise
from assistant.safety.tone import ToneHead, praise, routine_question, social_post, tone_head
from assistant.safety.topics import Topic
from assistant.safety.triage import router_examples
from tests.support import ROOT

KNOWLEDGE = load_knowledge(ROOT / "knowledge")
PATTERNS = PatternDetector(KNOWLEDGE.policy)


@pytest.mark.parametrize(
    ("text", "topic", "evidence"),
    [
        (
            "@fernhill two weeks for a scarf, thanks for nothing",
            Topic.complaint,
            "thanks for nothing",
        ),
        ("my order came without the lid smh", Topic.complaint, "smh"),
        ("the jumper I got is already falling apart :(", Topic.complaint, ":("),
        ("@fernhill great, another late parcel 🙃", Topic.complaint, "🙃"),
        ("I was supposed to get it on Monday", Topic.complaint, "was supposed to"),
        ("after this I'm never coming back", Topic.complaint, "never coming back"),
        ("your courier is clueless", Topic.complaint, "clueless"),
        (
            "is there anyone I can talk to about my order?",
            Topic.human_requested,
            "anyone I can talk to",
        ),
        (
            "I need to get in touch with someone at Fernhill",
            Topic.human_requested,
            "get in touch with someone",
        ),
        ("me robaron la cuenta", Topic.legal, "robaron"),
        ("someone logged into my account last night", Topic.legal, "someone logged into my"),
        ("@shop me rechaza la compra con la tarjeta", Topic.price, "rechaza"),
        ("quelqu'un a payé des jeux avec ma carte", Topic.legal, "quelqu'un a payé"),
        ("@shop el pedido no me ha llegado", Topic.order_problem, "no me ha llegado"),
        ("encomenda não chegou ainda", Topic.order_problem, "não chegou"),
        ("注文した本が届かない", Topic.order_problem, "届かない"),
        ("paying for 100 and only getting 30 @netcare", Topic.order_problem, "only getting"),
        ("keep getting errors at checkout @fernhill", Topic.order_problem, "getting errors"),
        ("internet has been down for 40 mins @netcare", Topic.complaint, "down for 40 mins"),
        ("No online orders today? Really @tacohouse ?", Topic.complaint, "Really @tacohouse ?"),
        ("c'mon @skylineair, two hours on the tarmac", Topic.complaint, "c'mon"),
        ("I'm so tired of this @netcare", Topic.complaint, "tired of this"),
        ("why is this happening to my phone @phonecare", Topic.complaint, "why is this happen"),
        ("tried calling and it hangs up every time", Topic.complaint, "hangs up"),
        (
            "I was told it would ship Monday but nothing yet",
            Topic.complaint,
            "was told it would ship Monday but",
        ),
        ("found a bone in my burrito @tacohouse", Topic.complaint, "bone in my"),
        ("jamás volveré a comprar aquí", Topic.complaint, "jamás volveré"),
        ("I am supposed to get 75 mbps", Topic.complaint, "am supposed to get"),
        ("give us our bags #travelwoes", Topic.complaint, "#travelwoes"),
        ("0 customer service from @shop", Topic.complaint, "0 customer service"),
        ("who can I contact about my booking?", Topic.human_requested, "who can I contact"),
        ("ten hours at the gate, shame on you @skylineair", Topic.complaint, "shame on you"),
        ("really poor customer service @bankhelp", Topic.complaint, "poor customer service"),
        ("the app keeps crashing @bankhelp", Topic.complaint, "keeps crashing"),
        ("no internet in Leeds all day @netcare", Topic.complaint, "no internet"),
        ("nobody has answered my email @fernhill", Topic.complaint, "nobody has answered"),
    ],
)
def test_social_frustration_and_asking_for_a_person_reach_a_person_with_the_words(
    text: str, topic: Topic, evidence: str
) -> None:
    reasons = [h.reason for h in PATTERNS.detect_sync(text) if h.topic is topic]

    assert reasons, text
    assert evidence.lower() in reasons[0].lower()


@pytest.mark.parametrize(
    "text",
    [
        "@fernhill the new candles smell amazing, thank you!",
        "Can I change the colour of my order before it ships?",
        "What time does the Leeds store open on Sunday?",
        "Is the canvas backpack big enough for a laptop? :)",
        "Who can I ask about the wool care guide?",  # a question, not a request for a person
        "Come on in, the store is open till 8 @fernhill",  # 'come on', not 'c'mon'
        "put me down for a newsletter please",  # 'down for', no time
        "I am supposed to collect it from the Leeds store, where is it?",
        "Really happy with the boots @fernhill!",
        "the common room of the hotel was lovely",
        "la compra llegó ayer, gracias",
        "the order arrived, I only ordered one mug",
        "is it supposed to be this soft? love it",
        "the service was great and the quality is too @fernhill",
        "do you have wifi in the Leeds store?",
        "Who do I call to activate my new card?",  # how-to, not a request for a person
    ],
)
def test_calm_posts_and_questions_trip_no_new_pattern(text: str) -> None:
    assert not [h for h in PATTERNS.detect_sync(text) if h.topic.is_risk], text


@pytest.mark.parametrize(
    ("text", "routine"),
    [
        ("@gamehelp if I switch consoles will my saves carry over?", True),
        ("@fernhill do you ship to Canada?", True),
        ("@skylineair is there a quiet coach on the Rome flights?", True),
        ("@railhelp any idea when the new timetable starts?", True),
        ("@appsupport is there an easy way to export my notes?", True),
        ("@fernhill I have a few questions about the wool throw", True),
        ("can someone tell me if the café opens on Sunday? @fernhill", True),
        ("@gamehelp can I still pre-order the deluxe edition?", True),  # 'still' asks, here
        ("@fernhill is my order still not here?", False),  # 'still not': a problem
        ("@fernhill do you ship to Canada? I can't find it", False),  # trouble named
        ("@gamehelp how do I get my points back?", False),  # money-like
        ("@netcare is there an outage in Leeds?", False),
        ("@phonecare how do I stop the app crashing?", False),
        ("@fernhill will my refund come today?", False),
        ("@fernhill will it EVER arrive?", False),  # shouting
        ("@fernhill love the boots 😍", False),  # asks nothing
    ],
)
def test_a_routine_question_asks_how_or_whether_and_names_no_trouble(
    text: str, routine: bool
) -> None:
    assert routine_question(text) is routine


def test_a_social_post_is_told_by_handles_links_hashtags_or_emoji() -> None:
    assert social_post("@fernhill hi")
    assert social_post("look https://t.co/abc")
    assert social_post("best tote ever #happycustomer")
    assert social_post("love it 😍")
    assert not social_post("Where is my order FH-12345?")
    assert not social_post("Please send invoice #85632 again")  # a number, not a hashtag


@pytest.fixture(scope="module")
def similarity() -> SimilarityDetector:
    embedder = shared_embedder()
    return SimilarityDetector(embedder, router_examples(KNOWLEDGE, embedder))


def _risky(detector: SimilarityDetector, text: str) -> list[str]:
    vector = detector.embedder.embed_one(social_normalise(text))
    return [h.reason for h in detector.detect_vector(vector, text) if h.topic.is_risk]


def test_a_calm_thank_you_post_is_not_sent_to_a_person_on_the_vote_alone(
    similarity: SimilarityDetector,
) -> None:
    post = "Thanks @fernhill, the mug set arrived today and it is lovely 😊"
    without_tone = SimilarityDetector(similarity.embedder, similarity.examples, calm_posts=False)

    assert _risky(without_tone, post)  # the nearest examples alone would send it to a person
    assert _risky(similarity, post) == []
    # The same words in a chat message are not a social post: the vote stands.
    assert _risky(similarity, "Thanks, the mug set arrived today and it is lovely")


def test_a_routine_question_post_is_not_sent_on_the_vote_alone_but_trouble_still_is(
    similarity: SimilarityDetector,
) -> None:
    question = "@bankhelp how long does a transfer to another bank usually take?"
    without_tone = SimilarityDetector(similarity.embedder, similarity.examples, calm_posts=False)
    assert similarity.tone is not None
    vector = similarity.embedder.embed_one(social_normalise(question))
    # Neither calm nor friendly by the other rules: the question alone lets it through.
    assert similarity.tone.frustration(vector) > similarity.tone.calm_below

    assert _risky(without_tone, question)
    assert _risky(similarity, question) == []
    # Trouble named, or a chat line rather than a post: the vote stands, with its reason.
    for text in (
        question + " mine is still stuck",
        "how long does a transfer to another bank usually take?",
    ):
        [reason] = _risky(similarity, text)
        assert reason.startswith("similar to messages about "), reason


def test_a_frustrated_post_still_reaches_a_person_with_the_similar_example_quoted(
    similarity: SimilarityDetector,
) -> None:
    for post in (
        "@bankhelp the transfer to my landlord still hasn't arrived and rent is due 😡",
        "@bankhelp someone took money from my account and I didn't do it!! #fraud",
    ):
        [reason] = _risky(similarity, post)
        assert reason.startswith("similar to messages about "), reason
        assert "(e.g. '" in reason


def test_a_calm_post_about_money_still_goes_to_a_person_for_its_words() -> None:
    post = "Thanks @fernhill! can I get a refund on the mug set? 😊"

    reasons = [h.reason for h in PATTERNS.detect_sync(post) if h.topic is Topic.refund]
    assert reasons == ["mentions a refund: 'refund'"]


def test_the_tone_head_scores_frustration_above_calm_and_belongs_to_its_embedder() -> None:
    embedder = shared_embedder()
    head = tone_head(embedder.model_id)
    assert head is not None
    assert tone_head("another-embedding-model") is None  # no tone gate on a foreign model

    def score(text: str) -> float:
        return head.frustration(embedder.embed_one(social_normalise(text)))

    angry = score("@fernhill this is a joke, I am so annoyed with you, worst shop ever")
    calm = score("@fernhill thank you so much, the wrapping was beautiful")
    assert angry > head.calm_below > calm
    assert head.weights.shape == (embedder.embed_one("x").shape[0],)
    assert np.isfinite(head.weights).all()


@pytest.mark.parametrize(
    ("text", "warm"),
    [
        ("Happy Friday @fernhill! the new boots are perfect 👢", True),
        ("Huge thanks to the team at @fernhill for the beautiful wrapping 🎁", True),
        ("Thanks a lot @fernhill, three days late again", False),  # a problem named
        ("great job @fernhill, love it 🙄", False),  # sarcasm
        ("@fernhill love the boots! do they come in brown?", False),  # asks something
        ("@fernhill LOVE waiting all week for a parcel", False),
    ],
)
def test_praise_is_thanks_with_nothing_asked_and_no_problem(text: str, warm: bool) -> None:
    assert praise(text) is warm


def _head_scoring(frustration: float) -> ToneHead:
    """A head that gives every post the same frustration, to test the rule alone."""
    bias = float(np.log(frustration / (1 - frustration)))
    return ToneHead(np.zeros(384, dtype=np.float32), bias, 0.30, 0.35, "test", 0.55)


@pytest.mark.parametrize(
    ("frustration", "text", "calm"),
    [
        (0.25, "@fernhill where is the Leeds store?", True),  # calm enough on its own
        (0.25, "where is the Leeds store?", False),  # not a social post: the vote stands
        (0.32, "@fernhill good morning, is the Leeds store open today? 🙂", True),  # friendly
        (0.32, "@fernhill the Leeds store had my size", False),  # neither calm nor friendly
        (0.40, "@fernhill good morning, is the Leeds store open today? 🙂", False),
        (0.40, "Huge thanks to the team at @fernhill for the beautiful wrapping 🎁", True),
        (0.50, "@fernhill where is the Leeds store?", True),  # a routine question
        (0.50, "where is the Leeds store?", False),  # not a social post
        (0.50, "@fernhill where is the Leeds store? I can't find it", False),  # trouble
        (0.60, "@fernhill where is the Leeds store?", False),  # too frustrated
    ],
)
def test_a_post_sounds_calm_by_its_score_or_by_a_friendly_tone_and_nothing_else(
    frustration: float, text: str, calm: bool
) -> None:
    vector = np.zeros(384, dtype=np.float32)

    assert _head_scoring(frustration).sounds_calm(text, vector) is calm
