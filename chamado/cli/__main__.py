"""``python -m chamado.cli``: the same as the ``chamado`` script."""

from chamado.cli import app

app(prog_name="chamado")
