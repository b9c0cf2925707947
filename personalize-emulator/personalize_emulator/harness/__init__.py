"""What plugs the service into moto (``patches.py``) and runs it: in-process mock, server, faults, pytest."""
