"""The "Personalize" view in the Airflow UI: an Airflow plugin serving a FastAPI app on the api-server.

``plugin`` registers it (and imports nothing heavy); ``app`` serves the page and its authenticated data;
``overview`` is the read model, built from Personalize answers that ``reader`` requests and caches;
``charts`` draws the metrics.
"""
