"""Level-0 FAQ knowledge base (YAML data) and the fuzzy matcher."""
