-- Migration 0061 (issue 15, ingest speed): a submission's files kept on its own row.
-- The files' names, SHA-256 and sizes were a table of their own, written by a second INSERT
-- for every submission (~0.65 ms of the writer's CPU each, 1,143 a national year). They are
-- now a list on the submission (submissions.files), written with it; `submission_files` is a
-- view with the table's columns, so every reader is unchanged. Existing rows are carried over,
-- in file-name order (the order the ingest wrote them). A submission without files has none.
-- Numbered after every earlier migration (not in the gap at 0006), so that a new store and
-- one carried forward add the column in the same place.

ALTER TABLE submissions ADD COLUMN files STRUCT(file_name VARCHAR, sha256 VARCHAR, bytes BIGINT)[];
UPDATE submissions SET files = (
    SELECT list({'file_name': f.file_name, 'sha256': f.sha256, 'bytes': f.bytes} ORDER BY f.file_name)
    FROM submission_files f WHERE f.submission_id = submissions.submission_id
);
DROP TABLE submission_files;
CREATE VIEW submission_files AS
    SELECT submission_id, f.file_name, f.sha256, f.bytes FROM (SELECT submission_id, unnest(files) AS f FROM submissions);
