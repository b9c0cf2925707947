"""Pure data work, no moto: Avro schemas, CSV checks, the datastore, training, serving, synthetic data."""
