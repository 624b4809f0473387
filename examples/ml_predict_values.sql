-- ML_PREDICT over inline VALUES with the shipped model (models/default): one output row per
-- input row, in input order.
--
--   ./narrowbert sql examples/ml_predict_values.sql
--
-- A row whose text is NULL, blank or longer than 'max-text-bytes' is not analysed: its output
-- columns are NULL (r6, r7). Text past the model's 256 tokens is analysed on its first 256.

SET 'table.display.max-column-width' = '80';

CREATE TEMPORARY VIEW reviews AS
SELECT * FROM (VALUES
  ('r1', 'Emma Stone is wonderful here, and the score by Justin Hurwitz stayed with me for days.'),
  ('r2', 'Two hours of my life I will never get back. The plot makes no sense.'),
  ('r3', 'Bought this kettle from Amazon last month and it already leaks.'),
  ('r4', 'Clean design, fast sync, and it works offline on the train from London to Paris.'),
  ('r5', 'Christopher Nolan tries too hard again, but the shots of Iceland are beautiful.'),
  ('r6', ''),
  ('r7', CAST(NULL AS STRING))
) AS t (review_id, text);

-- The model's columns may be any subset of: sentiment STRING, sentiment_probability FLOAT,
-- entities ARRAY<ROW<...>>, embedding ARRAY<FLOAT>, tokens INT, truncated BOOLEAN. Only what the
-- declared columns need is computed (no entities declared: no per-word queries).
CREATE TEMPORARY MODEL review_model
  INPUT (text STRING)
  OUTPUT (sentiment STRING, sentiment_probability FLOAT,
          entities ARRAY<ROW<`text` STRING, `type` STRING, `start` INT, `end` INT, score FLOAT>>,
          embedding ARRAY<FLOAT>)
  WITH ('provider' = 'narrowbert', 'device' = 'auto');

SELECT review_id, sentiment, sentiment_probability, entities
FROM ML_PREDICT(TABLE reviews, MODEL review_model, DESCRIPTOR(text));
