"""Date polls (sondages de dates), kept in their own package of the events app.

``access`` (who sees, answers, manages), ``services`` (every write and the periodic jobs),
``selectors`` (the page's reads at a fixed query count), ``views`` / ``forms`` / ``urls``,
``consumers`` (the live tally). Models are in ``events/datepoll_models.py``.
"""
