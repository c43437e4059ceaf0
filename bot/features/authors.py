"""The archive's authors, indexed once for everything that looks a name up: reading, following, inline."""

from __future__ import annotations

from bot.render.callbacks import author_token
from bot.rules.authors import AuthorIndex
from storage import AuthorStat, DigestRepository


class AuthorDirectory:
    """The archive's bylines and their fuzzy index, rebuilt only when the archive has changed.

    Listing the authors aggregates every byline in the archive (about 10 ms over five years of issues)
    and indexing them folds every name (8 ms for 300 names): too slow to repeat for each ``/opinion``,
    and the answer only changes when an issue is stored or withdrawn. One per running application;
    :meth:`DigestRepository.version` says when to rebuild.
    """

    def __init__(self) -> None:
        self._version: tuple[int, int] | None = None
        self._rows: tuple[AuthorStat, ...] = ()
        self._index = AuthorIndex(())
        self._by_token: dict[str, AuthorStat] = {}

    async def load(self, digests: DigestRepository) -> tuple[tuple[AuthorStat, ...], AuthorIndex]:
        version = await digests.version()
        if version != self._version:
            rows = tuple(await digests.authors())
            # Two tasks may rebuild at once; both build the same thing, and the last one is kept.
            by_token = {author_token(row.key): row for row in rows}
            self._rows, self._index, self._by_token, self._version = rows, AuthorIndex(rows), by_token, version
        return self._rows, self._index

    async def by_token(self, digests: DigestRepository, token: str) -> AuthorStat | None:
        """The author a button names (:func:`bot.render.callbacks.author_token` of their key), or None when
        the archive no longer has them."""
        await self.load(digests)
        return self._by_token.get(token)
