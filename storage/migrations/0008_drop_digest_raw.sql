-- digests.raw held each issue as JSON beside its sections and items, was written on every save and never
-- read: the rows are the issue (DigestRepository.get rebuilds it from them).
ALTER TABLE digests DROP COLUMN raw;
