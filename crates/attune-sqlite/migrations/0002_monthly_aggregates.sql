-- Monthly score aggregates beside the daily ones: a trend over whole months reads
-- months × scores rows instead of days × scores. `month` is the epoch day of the month's
-- first day (UTC). Filled from the daily tables for data stored before this migration.

CREATE TABLE score_monthly (
    org_id       TEXT NOT NULL,
    survey_id    TEXT NOT NULL,
    question_key TEXT NOT NULL,
    qtype        TEXT NOT NULL,
    month        BIGINT NOT NULL,
    score        BIGINT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (org_id, survey_id, question_key, month, score)
);
CREATE INDEX score_monthly_type ON score_monthly (org_id, qtype, month);

CREATE TABLE score_segment_monthly (
    org_id       TEXT NOT NULL,
    survey_id    TEXT NOT NULL,
    question_key TEXT NOT NULL,
    qtype        TEXT NOT NULL,
    dim          TEXT NOT NULL,
    value        TEXT NOT NULL,
    month        BIGINT NOT NULL,
    score        BIGINT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (org_id, survey_id, question_key, dim, value, month, score)
);
CREATE INDEX score_segment_monthly_type ON score_segment_monthly (org_id, qtype, dim, month);

INSERT INTO score_monthly (org_id, survey_id, question_key, qtype, month, score, n)
SELECT org_id, survey_id, question_key, MIN(qtype), CAST(julianday(date(day * 86400, 'unixepoch', 'start of month')) - 2440587.5 AS INTEGER), score, SUM(n)
FROM score_daily
GROUP BY org_id, survey_id, question_key, CAST(julianday(date(day * 86400, 'unixepoch', 'start of month')) - 2440587.5 AS INTEGER), score;

INSERT INTO score_segment_monthly (org_id, survey_id, question_key, qtype, dim, value, month, score, n)
SELECT org_id, survey_id, question_key, MIN(qtype), dim, value, CAST(julianday(date(day * 86400, 'unixepoch', 'start of month')) - 2440587.5 AS INTEGER), score, SUM(n)
FROM score_segment_daily
GROUP BY org_id, survey_id, question_key, dim, value, CAST(julianday(date(day * 86400, 'unixepoch', 'start of month')) - 2440587.5 AS INTEGER), score;
