"""``python -m pewlike.cli``: the pewlike command line."""

from pewlike.cli import run

if __name__ == "__main__":  # pragma: no cover
    run()
