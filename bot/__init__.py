"""Chat platform adapters and the platform-agnostic dialog engine."""
