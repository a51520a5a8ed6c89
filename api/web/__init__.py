"""The caseworkers' and leaders' pages: static shells that call the JSON API with the user's token."""
