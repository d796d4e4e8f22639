"""The web layer reaches the database only through services: no blueprint imports the
models, so no view can fetch a row by id itself."""

import ast
from pathlib import Path

import flashcards.web

WEB = Path(flashcards.web.__file__).parent
FORBIDDEN = ("flashcards.models",)


def test_no_web_module_imports_the_models() -> None:
    offenders = []
    for path in sorted(WEB.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            for name in names:
                if name.startswith(FORBIDDEN) or name == "flashcards" and any(
                        a.name == "models" for a in getattr(node, "names", [])):
                    offenders.append(f"{path.name}:{node.lineno} imports {name}")
    assert offenders == []
