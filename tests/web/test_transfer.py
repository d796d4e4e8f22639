"""Import and export over HTTP: preview first, confirm writes, downloads are attachments."""

import io
import re

from sqlalchemy import func, select

from flashcards.models import Card, Deck
from tests.conftest import csrf_token, make_deck

TOKEN_RE = re.compile(r'action="/import/([A-Za-z0-9_-]+)/confirm"')


def upload(client, data: bytes, name: str = "cards.csv", **fields):
    token = csrf_token(client, "/import")
    form = {"csrf_token": token, "file": (io.BytesIO(data), name), "on_duplicate": "update",
            **fields}
    return client.post("/import", data=form, content_type="multipart/form-data")


def card_count(session) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(Card)).scalar_one()


def test_upload_shows_a_preview_and_writes_nothing(app, client, session) -> None:
    response = upload(client, b"front,back,tags\nA,B,t\n,empty,\nC,D,\n", deck="Mine")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r"<strong>2</strong> new", page)
    assert re.search(r"<strong>1</strong> rejected", page)
    assert "Line 3: the front is empty" in page
    assert "New deck: Mine" in page
    assert card_count(session) == 0


def test_confirm_imports_everything_in_one_go(app, client, session) -> None:
    app.config["JOBS_IN_BACKGROUND"] = False
    page = upload(client, b"front,back\nA,B\nC,D\n", name="My deck.csv").get_data(as_text=True)
    token = TOKEN_RE.search(page).group(1)
    confirm = client.post(f"/import/{token}/confirm", data={"csrf_token": csrf_token(client)})
    assert confirm.status_code == 302
    result = client.get(confirm.headers["Location"]).get_data(as_text=True)
    assert "My deck.csv: 2 new, 0 updated, 0 unchanged, 0 rejected." in result
    assert card_count(session) == 2
    assert session.execute(select(Deck.name)).scalars().all() == ["My deck"]
    status = client.get(f"/import/{token}.json").get_json()
    assert status["state"] == "done" and status["result"]["counts"]["new"] == 2
    again = client.post(f"/import/{token}/confirm", data={"csrf_token": csrf_token(client)})
    assert again.status_code == 404  # an upload is imported once


def test_background_import_reports_progress_until_done(app, client, session) -> None:
    rows = b"".join(b"front %d,back\n" % i for i in range(6000))
    page = upload(client, b"front,back\n" + rows).get_data(as_text=True)
    token = TOKEN_RE.search(page).group(1)
    client.post(f"/import/{token}/confirm", data={"csrf_token": csrf_token(client)})
    import time

    deadline = time.monotonic() + 60
    while client.get(f"/import/{token}.json").get_json()["state"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    status = client.get(f"/import/{token}.json").get_json()
    assert status["state"] == "done", status
    assert card_count(session) == 6000


def test_bad_files_get_a_clear_error_and_change_nothing(client, session) -> None:
    make_deck(session, "Keep", cards=1)
    cases = {
        b"": "the file is empty",
        "front,back\ncafé,x\n".encode("latin-1"): "line 2: the file is not UTF-8",
        "front,back\nA,B\n".encode("utf-16"): "UTF-16",
        b"front,back\n": "a header row but no cards",
        b'front,back\n"A,B\n': "line 2: a quoted field is never closed",
        b"\x00\x01\x02": "binary",
    }
    for data, message in cases.items():
        response = upload(client, data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True).replace("&#34;", '"'), data
    assert card_count(session) == 1


def test_upload_over_the_limit_is_413(app, client, session) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = upload(client, b"front,back\n" + b"x,y\n" * 1000)
    assert response.status_code == 413
    assert card_count(session) == 0


def test_missing_csrf_token_is_400(client, session) -> None:
    response = client.post("/import", data={"file": (io.BytesIO(b"front,back\nA,B\n"), "a.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert card_count(session) == 0


def test_script_in_a_preview_is_shown_as_text(client) -> None:
    page = upload(client, b"front,back\n<script>alert(1)</script>,b\n").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_export_downloads_are_attachments_with_safe_names(client, session) -> None:
    deck = make_deck(session, "Weird/../Name", cards=2)
    response = client.get(f"/export?deck={deck.id}&format=csv&scheduling=1")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "/" not in disposition.split("filename=")[1] and ".." not in disposition
    assert disposition == "attachment; filename=weird-name-2026-03-02.csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith("guid,deck,kind,front,back") and "state,step" in text
    anki = client.get("/export?format=anki")
    assert anki.headers["Content-Disposition"] == "attachment; filename=all-decks-2026-03-02.txt"
    assert anki.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert anki.get_data(as_text=True).startswith("#separator:tab")
    assert client.get("/export?format=anki&scheduling=1").status_code == 400
    assert client.get("/export?format=xml").status_code == 400
    assert client.get("/export?deck=999").status_code == 404


def test_non_ascii_deck_names_download_with_rfc5987_names(client, session) -> None:
    deck = make_deck(session, "עברית deck", cards=1)
    disposition = client.get(f"/export?deck={deck.id}").headers["Content-Disposition"]
    assert "filename*=UTF-8''%D7%A2%D7%91%D7%A8%D7%99%D7%AA-deck-2026-03-02.csv" in disposition


def test_decks_page_links_exports_and_import(client, session) -> None:
    make_deck(session, "Alpha", cards=3)
    page = client.get("/decks").get_data(as_text=True)
    assert "Alpha" in page and "CSV with schedules" in page and 'href="/import"' in page
    assert "format=excel" in page and "CSV for Excel" in page


def test_excel_export_has_a_bom_and_imports_back_unchanged(app, client, session) -> None:
    app.config["JOBS_IN_BACKGROUND"] = False
    deck = make_deck(session, "Dash — deck", cards=2)
    response = client.get(f"/export?deck={deck.id}&format=excel")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].endswith(".csv")
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbfguid,") and "Dash — deck".encode() in data
    page = upload(client, data, name="excel.csv").get_data(as_text=True)
    assert re.search(r"<strong>2</strong> unchanged", page)


LAYOUT_RE = re.compile(r'action="(/import/[A-Za-z0-9_-]+/layout)"')


def test_spreadsheet_header_is_detected_and_shown_as_a_header(client, session) -> None:
    page = upload(client, "Question|Answer\nscope|what is in — and out\n".encode()
                  ).get_data(as_text=True)
    assert re.search(r"<strong>1</strong> new", page)
    assert re.search(r'<input checked id="header" name="header" type="checkbox" value="y">',
                     page)
    assert re.search(r'<option value="front" selected>', page)
    assert "what is in — and out" in page and "<td>Question</td>" not in page


def test_column_mapping_goes_from_the_preview_to_the_import(app, client, session) -> None:
    app.config["JOBS_IN_BACKGROUND"] = False
    data = b"Notes,Spanish,English\nzoo,perro,dog\nfarm,gato,cat\n"
    page = upload(client, data, deck="Words").get_data(as_text=True)
    assert re.search(r"<strong>3</strong> new", page)  # unknown header: read as a card
    assert 'name="header" type="checkbox"' in page and "checked" not in page
    layout_url = LAYOUT_RE.search(page).group(1)
    form = {"csrf_token": csrf_token(client), "header": "y",
            "column": ["tags", "back", "front"]}
    again = client.post(layout_url, data=form)
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert re.search(r"<strong>2</strong> new", page)
    assert re.search(r'<select name="column" id="column-3">\s*<option value="front" selected>',
                     page)
    assert ">English</label>" in page
    token = TOKEN_RE.search(page).group(1)
    assert layout_url == f"/import/{token}/layout"  # the same upload, its options updated
    client.post(f"/import/{token}/confirm", data={"csrf_token": csrf_token(client)})
    session.rollback()
    assert session.execute(select(Card.front, Card.back, Card.tags).order_by(Card.id)
                           ).all() == [("dog", "perro", "zoo"), ("cat", "gato", "farm")]


def test_a_mapping_without_a_back_is_refused_and_changes_nothing(client, session) -> None:
    page = upload(client, b"dog,chien\ncat,chat\n").get_data(as_text=True)
    layout_url = LAYOUT_RE.search(page).group(1)
    refused = client.post(layout_url, data={"csrf_token": csrf_token(client),
                                            "column": ["front", "tags"]})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "no column is the back: choose which column holds the back" in page
    assert re.search(r"<strong>2</strong> new", page)  # the previous reading still stands
    assert client.post(layout_url, data={"column": ["front", "back"]}).status_code == 400
    assert client.post("/import/" + "x" * 24 + "/layout",
                       data={"csrf_token": csrf_token(client)}).status_code == 404


def test_blank_backs_are_previewed_with_a_warning(client, session) -> None:
    page = upload(client, b"Term,Definition\ndog,\ncat,\n").get_data(as_text=True)
    assert "these cards have no back (from line 2)" in page
    refused = upload(client, b"front,tags\ndog,x\n")
    assert refused.status_code == 400
    assert "the header has no back column" in refused.get_data(as_text=True)
    assert card_count(session) == 0


def test_web_import_resolves_deck_names_in_any_case(app, client, session) -> None:
    app.config["JOBS_IN_BACKGROUND"] = False
    existing = make_deck(session, "Terminology")
    for data, fields in [(b"front,back\nA,B\n", {"deck": "TERMINOLOGY"}),
                         (b"front,back,deck\nC,D,terminology\n", {})]:
        page = upload(client, data, **fields).get_data(as_text=True)
        assert "New deck" not in page
        token = TOKEN_RE.search(page).group(1)
        client.post(f"/import/{token}/confirm", data={"csrf_token": csrf_token(client)})
    session.rollback()
    assert session.execute(select(Deck.id)).scalars().all() == [existing.id]
    assert session.execute(select(Card.front).where(Card.deck_id == existing.id)
                           .order_by(Card.id)).scalars().all() == ["A", "C"]


def test_zero_counts_in_the_preview_are_marked_zero_and_others_not(client) -> None:
    page = upload(client, b"front,back\nA,B\n,empty\n").get_data(as_text=True)
    assert re.search(r'<li class="new"><strong>1</strong> new', page)
    assert re.search(r'<li class="rejected"><strong>1</strong> rejected', page)
    assert re.search(r'<li class="updated zero"><strong>0</strong> updated', page)
    clean = upload(client, b"front,back\nA,B\n").get_data(as_text=True)
    assert re.search(r'<li class="rejected zero"><strong>0</strong> rejected', clean)


def test_import_form_says_where_rows_without_a_deck_go_and_they_go_there(app, client,
                                                                        session) -> None:
    form = client.get("/import").get_data(as_text=True)
    assert "“Imported”" not in form
    assert ("else the file's name (rows of “Python_terms.csv” go to the deck “Python terms”)"
            in form.replace("&#39;", "'"))
    app.config["JOBS_IN_BACKGROUND"] = False
    page = upload(client, b"front,back\nA,B\n", name="Python_terms.csv").get_data(as_text=True)
    assert "New deck: Python terms" in page
    token = TOKEN_RE.search(page).group(1)
    client.post(f"/import/{token}/confirm", data={"csrf_token": csrf_token(client)})
    # The file's #deck: line comes first, as the form says.
    page = upload(client, b"#deck:Words\nC\tD\n", name="Python_terms.txt").get_data(as_text=True)
    assert "New deck: Words" in page
    session.rollback()
    assert session.execute(select(Deck.name)).scalars().all() == ["Python terms"]
