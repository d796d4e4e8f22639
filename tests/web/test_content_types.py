"""Every page and download names its type and charset once."""

from sqlalchemy import select

from flashcards.models import Card
from tests.conftest import make_deck


def test_every_get_route_names_one_charset(seeded_app, session) -> None:
    client = seeded_app.test_client()
    deck = make_deck(session, "Mine", cards=1)
    card_id = session.execute(select(Card.id).where(Card.deck_id == deck.id)).scalar_one()
    arguments = {"deck_id": deck.id, "card_id": card_id}
    urls = ["/export?format=csv", "/export?format=anki", "/export?format=csv&scheduling=1"]
    for rule in seeded_app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if set(rule.arguments) <= set(arguments):
            urls.append(rule.build({k: arguments[k] for k in rule.arguments})[1])
    checked = 0
    for url in urls:
        response = client.get(url)
        response.get_data()  # a download streams: read it to the end, which closes it
        if response.status_code != 200:
            continue
        content_type = response.headers["Content-Type"]
        assert content_type.count("charset") <= 1, (url, content_type)
        if content_type.startswith("text/"):
            assert content_type.endswith("; charset=utf-8"), (url, content_type)
        checked += 1
    assert checked >= 15
