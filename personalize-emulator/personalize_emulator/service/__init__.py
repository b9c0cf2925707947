"""The moto service: the backend and its resources (``models.py``), ``responses.py``, ``urls.py``, errors."""
