"""Small services by job (inbox, review, knowledge); each action takes an ``Actor`` and
checks its permission in ``assistant/users/roles.py`` itself."""
