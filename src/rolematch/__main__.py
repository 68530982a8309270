"""``python -m rolematch``: runs the CLI."""

from rolematch.cli import main

if __name__ == "__main__":
    main()
