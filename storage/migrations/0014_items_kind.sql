-- Searches limited to one kind of item ("opinions about NATO"), or to one author's pieces on a topic:
-- the full-text match is filtered by the ids this index lists without reading the items themselves.

CREATE INDEX items_kind ON items (kind, author_key);
