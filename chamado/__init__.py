"""Entry points: settings, the composition root and the command line."""
