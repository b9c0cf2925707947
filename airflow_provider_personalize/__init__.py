"""Apache Airflow provider for Amazon Personalize."""

__version__ = "0.1.0"
