#!/usr/bin/env python3
"""The official MCP Python SDK (PyPI `mcp`) as the client of policyqa's MCP server, for
tests/mcp.rs. It prints one JSON object (the last line of stdout) saying what each step got;
the Rust test asserts on it.

  mcp_client.py stdio BINARY CORPUS DATA_DIR   policyqa mcp launched as a subprocess
  mcp_client.py http URL KEY                   /mcp of a running policyqa serve with keys
  mcp_client.py agent URL KEY                  a scripted chat model's tool calls run on /mcp
"""
import asyncio
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

QUESTION = "企业职工教育经费至少要有多少用于一线职工？"


def dump(result):
    return result.model_dump(by_alias=True, exclude_none=True, mode="json")


async def call(client, name, args):
    """A tool call's result, or the MCP error it raised."""
    try:
        return {"result": dump(await client.call_tool(name, args))}
    except MCPError as e:
        return {"error": {"code": e.code, "message": e.message}}


async def exercise(client):
    """Every tool on the seed page, a resource, and the errors."""
    out = {}
    tools = (await client.list_tools()).tools
    out["tools"] = {t.name: {"description": t.description, "schema": t.input_schema} for t in tools}
    out["search"] = await call(client, "search_clauses", {"query": QUESTION, "top_k": 3})
    out["search_filtered"] = await call(client, "search_clauses", {"query": QUESTION, "filters": {"type": "意见"}})
    out["clause"] = await call(client, "get_clause", {"label_or_id": "意见（十）"})
    out["clause_missing"] = await call(client, "get_clause", {"label_or_id": "《中共中央国务院关于深化产业工人队伍建设改革的意见》（九十九）"})
    found = out["search"].get("result", {}).get("structuredContent", {}).get("passages", [])
    if found:
        out["clause_by_id"] = await call(client, "get_clause", {"label_or_id": found[0]["id"]})
    out["ask"] = await call(client, "ask", {"question": QUESTION})
    out["ask_refused"] = await call(client, "ask", {"question": "产业工人的住房补贴每月发多少钱？"})
    out["documents"] = await call(client, "list_documents", {})
    out["verify"] = await call(client, "verify_citations", {"text": "根据《中共中央国务院关于深化产业工人队伍建设改革的意见》（十），企业要落实培养产业工人的责任。"})
    resources = (await client.list_resources()).resources
    out["resources"] = [r.uri for r in resources]
    if resources:
        read = await client.read_resource(resources[0].uri)
        out["resource"] = dump(read)
    try:
        await client.read_resource("policyqa://documents/0000000000000000")
        out["resource_missing"] = "no error"
    except MCPError as e:
        out["resource_missing"] = {"code": e.code, "message": e.message}
    out["unknown_tool"] = await call(client, "no_such_tool", {})
    out["malformed"] = await call(client, "search_clauses", {"query": 42})
    out["empty"] = await call(client, "ask", {"question": "  "})
    out["bad_filter"] = await call(client, "search_clauses", {"query": QUESTION, "filters": {"written_from": "yesterday"}})
    out["unknown_argument"] = await call(client, "get_clause", {"label_or_id": "意见（十）", "colour": "red"})
    return out


async def stdio(binary, corpus, data_dir):
    params = StdioServerParameters(command=binary, args=["mcp", "--corpus", corpus], env={"POLICYQA_DATA_DIR": data_dir, "POLICYQA_LOG": "info"})
    async with Client(params) as client:
        return await exercise(client)


def http_client(key, origin=None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if origin:
        headers["Origin"] = origin
    return httpx2.AsyncClient(headers=headers, timeout=60)


async def http(url, key):
    out = {}
    probe = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    accept = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    async with httpx2.AsyncClient(timeout=30) as raw:
        r = await raw.post(url, json=probe, headers=accept)
        out["no_key"] = {"status": r.status_code, "body": r.text}
        r = await raw.post(url, json=probe, headers={**accept, "Authorization": "Bearer not-a-key-0123456789"})
        out["wrong_key"] = {"status": r.status_code}
        r = await raw.post(url, json=probe, headers={**accept, "Authorization": f"Bearer {key}", "Origin": "https://evil.example"})
        out["foreign_origin"] = {"status": r.status_code, "body": r.text[:300]}
        r = await raw.post(url, json=probe, headers={**accept, "Authorization": f"Bearer {key}", "Host": "evil.example"})
        out["foreign_host"] = {"status": r.status_code}
    async with Client(streamable_http_client(url, http_client=http_client(key, origin="http://localhost:5173"))) as client:
        out.update(await exercise(client))
    return out


class ScriptedModel(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint whose replies are scripted: asked with tools and no
    tool result yet, it calls search_clauses, then get_clause on the first label found; given
    both results, it answers with the clause's label and text."""

    requests = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ScriptedModel.requests.append(body)
        tool_messages = [m for m in body["messages"] if m["role"] == "tool"]
        if len(tool_messages) == 0:
            message = {"role": "assistant", "content": None, "tool_calls": [tool_call("call_1", "search_clauses", {"query": body["messages"][-1]["content"], "top_k": 3})]}
        elif len(tool_messages) == 1:
            found = json.loads(tool_messages[0]["content"])
            label = found["passages"][0]["label"]
            message = {"role": "assistant", "content": None, "tool_calls": [tool_call("call_2", "get_clause", {"label_or_id": label})]}
        else:
            clause = json.loads(tool_messages[1]["content"])["passages"][0]
            message = {"role": "assistant", "content": f"依据{clause['label']}：{clause['text'][:60]}"}
        reply = {"id": "chat-1", "object": "chat.completion", "created": 1, "model": "scripted", "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if message.get("tool_calls") else "stop"}]}
        data = json.dumps(reply, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def tool_call(id_, name, args):
    return {"id": id_, "type": "function", "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)}}


async def agent(url, key):
    """A small agent loop: the model sees the MCP tools as functions; every tool call it makes
    is run on /mcp and its structured result handed back, until it answers."""
    from openai import OpenAI

    model_server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedModel)
    threading.Thread(target=model_server.serve_forever, daemon=True).start()
    chat = OpenAI(base_url=f"http://127.0.0.1:{model_server.server_port}/v1", api_key="none")
    out = {"calls": []}
    async with Client(streamable_http_client(url, http_client=http_client(key))) as client:
        tools = [{"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.input_schema}} for t in (await client.list_tools()).tools]
        messages = [{"role": "user", "content": QUESTION}]
        for _ in range(5):
            reply = chat.chat.completions.create(model="scripted", messages=messages, tools=tools).choices[0].message
            if not reply.tool_calls:
                out["answer"] = reply.content
                break
            messages.append({"role": "assistant", "content": None, "tool_calls": [c.model_dump() for c in reply.tool_calls]})
            for c in reply.tool_calls:
                result = await client.call_tool(c.function.name, json.loads(c.function.arguments))
                out["calls"].append({"name": c.function.name, "arguments": json.loads(c.function.arguments), "is_error": bool(result.is_error)})
                messages.append({"role": "tool", "tool_call_id": c.id, "content": json.dumps(result.structured_content, ensure_ascii=False)})
    out["model_saw_tools"] = sorted(t["function"]["name"] for t in ScriptedModel.requests[0].get("tools", []))
    model_server.shutdown()
    return out


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    run = {"stdio": stdio, "http": http, "agent": agent}[mode]
    print(json.dumps(asyncio.run(run(*args)), ensure_ascii=False))


if __name__ == "__main__":
    main()
