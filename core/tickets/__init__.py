"""The ticket's life: opening, the client's side, the analysts' side, reading.

Each module is one group of use cases, written as methods of a mixin that
``core.desk.HelpDesk`` combines; ``recording`` holds what they share (the
event, the outbox rows, the message history, the ticket number).
"""
