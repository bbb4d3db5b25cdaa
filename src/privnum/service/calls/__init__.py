"""The call core's use cases: one engine for every telephony driver (sandbox now, SIP next).

- ``ports.py``: what the core needs (storage, drivers, pushes, Block mode, recordings) and offers
  (``CallSignals`` for drivers, ``CallControl`` for the API).
- ``engine.py``: signals in, commands out; ``facts.py`` loads what routing decides on;
  ``journal.py`` saves each transition with its pushes and CDR; ``live_calls.py`` and
  ``timers.py`` hold the calls this process owns; ``recovery.py`` ends calls of dead processes;
  ``control.py`` delivers commands (callStop) to whichever process owns the call.
"""
