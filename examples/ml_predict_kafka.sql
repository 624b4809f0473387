-- ML_PREDICT over a Kafka table of JSON reviews.
--
--   ./narrowbert sql --embedded-kafka examples/ml_predict_kafka.sql
--       (a broker in the same process; topics are created when first used)
--   ./narrowbert sql --var bootstrap-servers=HOST:PORT examples/ml_predict_kafka.sql
--       (your broker, with a topic reviews-json)
--
-- The script first writes a few JSON reviews to the topic, then reads the topic from the start to
-- the offsets it has when the query starts ('scan.bounded.mode'), so the query ends. Without
-- 'scan.bounded.mode' the query runs until Ctrl-C (print with --max-rows N).

SET 'table.display.max-column-width' = '60';

CREATE TEMPORARY TABLE reviews_json (
  review_id STRING,
  text STRING,
  rating INT,
  product_id STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'reviews-json',
  'properties.bootstrap.servers' = '${bootstrap-servers}',
  'properties.group.id' = 'narrowbert-sql-example',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

INSERT INTO reviews_json VALUES
  ('k1', 'The battery easily lasts two days and the screen is gorgeous. Samsung got it right.', 5, 'phone-s9'),
  ('k2', 'Crashes every time I open a photo. Please fix this, Google.', 1, 'app-photos'),
  ('k3', 'A charming little film about a bakery in Lyon. Marion Cotillard carries every scene.', 8, 'movie-004'),
  ('k4', 'The shoes fell apart after a week of walking around Berlin.', 1, 'shoes-2');

-- Only sentiment: the model then queries [CLS] alone and skips the entity head.
CREATE TEMPORARY MODEL sentiment_model
  INPUT (text STRING)
  OUTPUT (sentiment STRING, sentiment_probability FLOAT)
  WITH ('provider' = 'narrowbert');

SELECT review_id, rating, sentiment, sentiment_probability
FROM ML_PREDICT(TABLE reviews_json, MODEL sentiment_model, DESCRIPTOR(text));
