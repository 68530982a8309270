"""``python -m rolematch``: runs the CLI."""

from rolematch.cli import cli

if __name__ == "__main__":
    cli()
