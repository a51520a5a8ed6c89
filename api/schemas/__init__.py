"""Request and response models of the native API, mapped explicitly from engine types."""
