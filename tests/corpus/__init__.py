"""The differential corpus: tools written the way Python developers write them.

Every tool here must answer natively exactly as CPython does (DESIGN.md, decision 11). `app.py`
registers them all on one app, `cases.py` says what to call them with, and `reference.py` gives
CPython's answer and compares it with another backend's. See README.md for what each module
exercises.
"""
