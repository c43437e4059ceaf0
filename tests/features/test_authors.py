"""AuthorDirectory: the archive's authors, indexed once and rebuilt only when the archive changed."""

from __future__ import annotations

import datetime as dt

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.features.authors import AuthorDirectory
from bot.render.callbacks import author_token
from storage import Database, DigestRepository, DigestStatus
from tests.reading_fixtures import JAN_7, load


def two_dmitrys(day: dt.date) -> Digest:
    pieces = (
        Item(ItemKind.OPINION, "On NATO", author="Dmitry Trenin", body=("NATO.",)),
        Item(ItemKind.OPINION, "On the press", author="Dmitry Muratov", body=("Press.",)),
    )
    return Digest("Daily", day, "Two Dmitrys", None, (Section("Opinions", pieces),))


async def test_the_author_directory_rebuilds_only_when_the_archive_changed(db: Database) -> None:
    digests = DigestRepository(db)
    directory = AuthorDirectory()
    [jan7] = await load(db, digests, JAN_7)
    rows, index = await directory.load(digests)
    assert {row.name for row in rows} == {"Dmitry Trenin", "Lilia Shevtsova", "Fyodor Lukyanov"}
    assert (await directory.load(digests))[1] is index
    await digests.save(two_dmitrys(dt.date(2024, 10, 12)))
    rows, rebuilt = await directory.load(digests)
    assert rebuilt is not index and "Dmitry Muratov" in {row.name for row in rows}
    await digests.set_status(jan7, DigestStatus.WITHDRAWN)
    rows, _ = await directory.load(digests)
    assert "Lilia Shevtsova" not in {row.name for row in rows}


async def test_an_author_is_found_by_the_token_in_their_buttons(db: Database) -> None:
    digests = DigestRepository(db)
    directory = AuthorDirectory()
    [jan7] = await load(db, digests, JAN_7)
    trenin = await directory.by_token(digests, author_token("dmitri trenin"))
    assert trenin is not None and trenin.name == "Dmitry Trenin"
    assert await directory.by_token(digests, author_token("nobody")) is None
    await digests.set_status(jan7, DigestStatus.WITHDRAWN)
    assert await directory.by_token(digests, author_token("dmitri trenin")) is None  # the archive changed
