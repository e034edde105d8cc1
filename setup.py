"""Which packages go in the wheel; pyproject.toml holds everything else.

Only this needs code: the content stays in `content/` at the top of the checkout (one copy,
where content editors expect it), and the wheel carries it inside the package as
`bot/content_files`, which setuptools' package finder cannot do because it cannot rename a
folder. MANIFEST.in names the content files (as package data they would be overridden by
pyproject.toml's package-data table). `bot/shipped.py` finds the installed copy, or this
checkout's `content/`.
"""

from pathlib import Path

from setuptools import find_packages, setup

CONTENT = Path("content")
CONTENT_PACKAGE = "bot.content_files"

content_packages = [
    CONTENT_PACKAGE,
    *(
        ".".join((CONTENT_PACKAGE, *folder.relative_to(CONTENT).parts))
        for folder in sorted(CONTENT.rglob("*"))
        if folder.is_dir() and not any(part.startswith(".") for part in folder.parts)
    ),
]

setup(
    packages=[*find_packages(include=["bot", "bot.*", "dialogs", "dialogs.*"]), *content_packages],
    package_dir={CONTENT_PACKAGE: str(CONTENT)},
)
