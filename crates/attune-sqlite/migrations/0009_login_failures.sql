-- Failed logins per normalised e-mail, whether or not an account has it (so the answers do not
-- tell which e-mails exist): the count since the last success, the last failure, and when the
-- next attempt may come. Kept in the database so every instance behind a load balancer agrees.
-- Rows whose last failure is a day old are forgotten (deleted as new failures are recorded).
CREATE TABLE login_failures (
    email           TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    next_allowed_at BIGINT NOT NULL
);
CREATE INDEX login_failures_last ON login_failures (last_failure_at);
