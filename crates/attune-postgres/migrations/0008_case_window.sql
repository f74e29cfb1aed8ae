-- Feedback submitted long before it reaches Attune (an import of last year's survey export) is
-- history, not a customer waiting for an answer: rules act only on responses submitted within
-- the last `case_window_days` days when they arrive (0: whatever their age).
ALTER TABLE loop_settings ADD COLUMN case_window_days BIGINT NOT NULL DEFAULT 7;
