"""The official openai client against policyqa's OpenAI-compatible endpoint.

Usage: python3 tests/openai_client.py http://127.0.0.1:PORT/v1
Run by crates/server/tests/http.rs; the test command installs the `openai` package.
"""
import sys

from openai import OpenAI

client = OpenAI(base_url=sys.argv[1], api_key="unused")
question = "公司提的职工培训经费，最少得拿出几成花在一线工人身上？"

r = client.chat.completions.create(model="policyqa", messages=[{"role": "user", "content": question}])
message = r.choices[0].message
citations = (message.model_extra or {}).get("citations") or []
assert "60%" in message.content, message.content
assert citations and citations[0]["label"].endswith("（十）"), citations
assert citations[0]["quote"] in citations[0]["text"]
print("non-streamed: ok", message.content)

text, final = "", None
for chunk in client.chat.completions.create(model="policyqa", messages=[{"role": "user", "content": question}], stream=True):
    if chunk.choices and chunk.choices[0].delta.content:
        text += chunk.choices[0].delta.content
    if (chunk.model_extra or {}).get("citations"):
        final = chunk.model_extra["citations"]
assert "60%" in text, text
assert final and final[0]["label"].endswith("（十）"), final
print("streamed: ok", text)
