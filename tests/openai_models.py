"""The official openai client lists and retrieves policyqa's model, as OpenAI-compatible
front ends do when a user adds a provider (Open WebUI, Cherry Studio, LobeChat).

Usage: python3 tests/openai_models.py http://127.0.0.1:PORT/v1
Run by crates/server/tests/http.rs; the test command installs the `openai` package.
"""
import sys

import openai
from openai import OpenAI

client = OpenAI(base_url=sys.argv[1], api_key="unused")
ids = [m.id for m in client.models.list()]
assert ids == ["policyqa"], ids
m = client.models.retrieve("policyqa")
assert m.id == "policyqa" and m.object == "model", m
try:
    client.models.retrieve("gpt-4o")
    raise AssertionError("an unknown model was found")
except openai.NotFoundError:
    pass
print("models: ok", ids)
