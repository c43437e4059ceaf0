-- The search index again (issue #15), for two things:
--
-- Prefix indexes for every prefix length from 3 to 12 letters: 0015's '3 4' left a longer last word
-- ("protest*", "sanctions*") to FTS5's slow path, which reads the doclists of every word with that
-- prefix and merges them in memory, the whole archive each time, and twice in one ranked search (the
-- match and bm25's count of rows); over 18,260 issues that was two thirds of a two-word search. The
-- index grows by about a quarter. A prefix longer than 12 letters is matched the slow way (few words are
-- that long).
--
-- The item's kind as a fourth column, so that "opinions on NATO" is an intersection of doclists inside
-- FTS5 rather than a list of every opinion's id (12 ms to build over 18,260 issues). Readers' words are
-- matched in the first three columns only (storage/fts.py), and the column weighs 0 in bm25.

DROP TRIGGER items_fts_insert;
DROP TRIGGER items_fts_delete;
DROP TRIGGER items_fts_update;
DROP TABLE items_fts;

CREATE VIRTUAL TABLE items_fts USING fts5 (
    title,
    author,
    body,
    kind,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3 4 5 6 7 8 9 10 11 12'
);

CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, title, author, body, kind)
    VALUES (NEW.id, NEW.title, NEW.author,
            (SELECT group_concat(value, char(10, 10)) FROM json_each(NEW.body)), NEW.kind);
END;

CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    DELETE FROM items_fts WHERE rowid = OLD.id;
END;

CREATE TRIGGER items_fts_update AFTER UPDATE OF title, author, body, kind ON items BEGIN
    DELETE FROM items_fts WHERE rowid = OLD.id;
    INSERT INTO items_fts (rowid, title, author, body, kind)
    VALUES (NEW.id, NEW.title, NEW.author,
            (SELECT group_concat(value, char(10, 10)) FROM json_each(NEW.body)), NEW.kind);
END;

INSERT INTO items_fts (rowid, title, author, body, kind)
SELECT id, title, author, (SELECT group_concat(value, char(10, 10)) FROM json_each(items.body)), kind
FROM items;
