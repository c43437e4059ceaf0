-- Full-text search over items. The FTS table keeps its own copy of the text (not external content):
-- items.body is a JSON array for an exact round trip, while the index and snippet() need plain text,
-- so the triggers join the paragraphs with blank lines as they index them.

CREATE VIRTUAL TABLE items_fts USING fts5 (
    title,
    author,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, title, author, body)
    VALUES (NEW.id, NEW.title, NEW.author,
            (SELECT group_concat(value, char(10, 10)) FROM json_each(NEW.body)));
END;

CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    DELETE FROM items_fts WHERE rowid = OLD.id;
END;

CREATE TRIGGER items_fts_update AFTER UPDATE OF title, author, body ON items BEGIN
    DELETE FROM items_fts WHERE rowid = OLD.id;
    INSERT INTO items_fts (rowid, title, author, body)
    VALUES (NEW.id, NEW.title, NEW.author,
            (SELECT group_concat(value, char(10, 10)) FROM json_each(NEW.body)));
END;

-- Items stored before this migration become searchable too.
INSERT INTO items_fts (rowid, title, author, body)
SELECT id, title, author, (SELECT group_concat(value, char(10, 10)) FROM json_each(items.body))
FROM items;
