"""What the example sentences of the feelings and suggestion models cost a start:
`.venv/bin/python -m bench.examples_startup [DATABASE_URL]` starts two processes one after the other
on one database (a new SQLite file, or the empty database at the URL): cold (empty knowledge_vector
table), then warm (the rows the first kept). Each prints the CPU seconds of `prepare_examples` (the
start-up step, handlers/replies/kept_examples.py) and how many texts it embedded.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.stack import load_average
from handlers.escalation.reactions import reaction_model
from handlers.insights.model import SuggestionModel, load_exemplars
from handlers.replies.feelings import model_for
from handlers.replies.kept_examples import prepare_examples
from persona.embed import shared_embedder
from persona.examples import ExampleModel
from storage import db


async def one_start(url: str) -> None:
    engine = db.create_engine(url)
    await db.upgrade(engine)
    model = shared_embedder()
    model.load()  # the model's own load is not the examples' cost
    models: list[ExampleModel[Any]] = [model_for(model), reaction_model(model),
                                       SuggestionModel(load_exemplars()).examples]
    cpu = time.process_time()
    await prepare_examples(models, db.session_factory(engine))
    print(f"examples ready: {time.process_time() - cpu:.2f} s CPU, "
          f"{len(model._memo)} of {sum(len(m.texts()) for m in models)} texts embedded")
    await engine.dispose()


def main(args: list[str]) -> None:
    if args[:1] == ["--one"]:
        asyncio.run(one_start(args[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args[0] if args else f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        for start in ("cold", "warm"):
            print(f"{start}: ", end="", flush=True)
            subprocess.run([sys.executable, "-m", "bench.examples_startup", "--one", url], check=True)
    print(f"load average {load_average()}")


if __name__ == "__main__":
    main(sys.argv[1:])
