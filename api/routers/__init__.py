"""One router per resource of the native API."""
