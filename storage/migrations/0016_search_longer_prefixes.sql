-- Prefix indexes for every prefix length from 3 to 12 letters (issue #15): 0015's '3 4' left a longer
-- last word ("protest*", "sanctions*") to FTS5's slow path, which reads the doclists of every word with
-- that prefix and merges them in memory, the whole archive each time, and twice in one ranked search
-- (the match and bm25's count of rows); over 18,260 issues that was two thirds of a two-word search.
-- Cost: the index is about a quarter larger. A prefix longer than 12 letters is matched the slow way
-- (few words are that long). The triggers of 0002 name items_fts and keep working with the new table.

DROP TABLE items_fts;

CREATE VIRTUAL TABLE items_fts USING fts5 (
    title,
    author,
    body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3 4 5 6 7 8 9 10 11 12'
);

INSERT INTO items_fts (rowid, title, author, body)
SELECT id, title, author, (SELECT group_concat(value, char(10, 10)) FROM json_each(items.body))
FROM items;
