"""Help-desk core: the domain, its store and the use cases. Imports no chat SDK."""
