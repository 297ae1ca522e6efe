"""mkdocs hook: the "Model cards" pages, generated from zoo's registry at build time."""

from mkdocs.structure.files import File

from zoo.model_cards import cards_index, model_card
from zoo.registry import list_models

CARDS = "models/cards"


def on_files(files, config):
    files.append(File.generated(config, f"{CARDS}/index.md", content=cards_index()))
    for name in list_models():
        files.append(File.generated(config, f"{CARDS}/{name}.md", content=model_card(name)))
    return files
