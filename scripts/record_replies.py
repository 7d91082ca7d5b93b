#!/usr/bin/env python3
"""Records the real llama.cpp server's replies that crates/answer/tests/fixtures/recorded_replies.json
replays (issue 15).

Gemma 3 270M is a base model: given policyqa's own prompt it only echoes it (the replies
"echo_of_the_prompt" and "echo_with_the_question_rewritten", recorded from `policyqa ask` through
a relaying proxy, are kept as they are). To record the other kinds of reply a weak model gives
(an invented article, a figure that is not in the clause, claims without a marker, a refusal in
other words, a good cited answer), the model is given a document to continue instead: a few worked
examples in the shape 条文[1]：… 问：… 答：…, then the clause policyqa retrieves first for the
question, the question and 答：. Its completion, streamed piece by piece and stopped at the end of
the line, is what the test server later sends as the chat reply for that question. The clause in
the provoking prompt is the one policyqa numbers [1] for the question, so the reply's markers mean
what they meant to the model. Temperature and seed are fixed, so a recording is reproducible on
the same server build.

    python3 -m llama_cpp.server --model gemma-3-270m-q4_k_m.gguf --chat_format gemma --port 8093 &
    python3 scripts/record_replies.py http://127.0.0.1:8093

Which reply is which kind was read by a person; the expected outcome of each is asserted by the
tests, not here.
"""
import json
import pathlib
import sys
import urllib.request

FIXTURE = pathlib.Path(__file__).resolve().parent.parent / "crates/answer/tests/fixtures/recorded_replies.json"

# The seed page's clause (十), the first clause policyqa retrieves for the questions below.
CLAUSE_10 = ("(十)落实企业培养产业工人的责任。构建以企业为主体、职业学校为基础,政府推动、社会支持、工会参与的技能人才培养体系。"
             "鼓励大型企业制定技能人才培养战略,健全产业工人培训制度,积极开展公共职业技能培训。企业按规定足额提取和使用职工教育经费,"
             "确保60%以上用于一线职工教育和培训。发挥工会系统、行业协会、社会培训机构作用,帮助中小企业开展技能培训。")
TRAINING = "企业职工教育经费至少要有多少用于一线职工？"
HOUSING = "产业工人的住房问题怎么解决？"
TOPIC = "意见（十）讲的是什么？"

WAGE = "条文[1]：用人单位与劳动者约定的试用期工资不得低于本单位相同岗位最低档工资的百分之八十。\n"
TERM = "条文[1]：劳动合同期限三个月以上不满一年的，试用期不得超过一个月。\n"
CITED = (WAGE + "问：试用期工资最低多少？\n答：试用期工资不得低于本单位相同岗位最低档工资的百分之八十[1]。\n\n"
         + TERM + "问：半年的合同试用期最长多久？\n答：劳动合同期限三个月以上不满一年的，试用期不得超过一个月[1]。\n\n")
WITH_ARTICLE = (WAGE + "问：试用期工资最低多少？\n答：根据《劳动合同法》第二十条，试用期工资不得低于本单位相同岗位最低档工资的百分之八十[1]。\n\n"
                + TERM + "问：半年的合同试用期最长多久？\n答：根据《劳动合同法》第十九条，试用期不得超过一个月[1]。\n\n")
NOT_ANSWERED = (WAGE + "问：试用期可以延长吗？\n答：条文中没有提到这个问题。\n\n"
                + WAGE + "问：试用期工资最低多少？\n答：试用期工资不得低于本单位相同岗位最低档工资的百分之八十[1]。\n\n"
                + TERM + "问：试用期内可以辞职吗？\n答：条文中没有提到这个问题。\n\n")
TOPICS = ("条文[1]：(三)加强产业工人思想政治引领。深入开展习近平新时代中国特色社会主义思想学习教育。\n问：意见（三）讲的是什么？\n"
          "答：意见（三）讲的是加强产业工人思想政治引领[1]。\n\n"
          "条文[1]：(五)完善产业工人技能形成体系。推动产教融合。\n问：意见（五）讲的是什么？\n答：意见（五）讲的是完善产业工人技能形成体系[1]。\n\n")


def provoked(examples: str, question: str) -> str:
    return examples + "条文[1]：" + CLAUSE_10 + "\n问：" + question + "\n答："


# name: (question replayed for, provoking prompt, temperature, seed)
CASES = {
    "invented_article": (TRAINING, provoked(WITH_ARTICLE, TRAINING), 0.6, 10),
    "figure_not_in_the_clause": (TRAINING, provoked(CITED, TRAINING), 0.5, 8),
    "uncited_claim": (TRAINING, provoked(CITED, TRAINING), 0.8, 11),
    "refusal_in_other_words": (HOUSING, provoked(NOT_ANSWERED, HOUSING), 0.7, 22),
    "good_cited_answer": (TOPIC, provoked(TOPICS, TOPIC), 0.0, 1),
}


def complete(base: str, prompt: str, temperature: float, seed: int) -> list[str]:
    req = {"prompt": prompt, "max_tokens": 100, "temperature": temperature, "seed": seed, "stream": True, "stop": ["\n"]}
    r = urllib.request.urlopen(urllib.request.Request(base + "/v1/completions", data=json.dumps(req).encode(), headers={"Content-Type": "application/json"}))
    pieces = []
    for line in r:
        line = line.decode().strip()
        if line.startswith("data: ") and line != "data: [DONE]":
            text = json.loads(line[6:])["choices"][0].get("text")
            if text:
                pieces.append(text)
    return pieces


def main() -> None:
    base = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8093"
    fixture = json.loads(FIXTURE.read_text())
    for name, (question, prompt, temperature, seed) in CASES.items():
        pieces = complete(base, prompt, temperature, seed)
        fixture["replies"][name] = {
            "question": question,
            "provoked_by": {"endpoint": "/v1/completions", "prompt": prompt, "temperature": temperature, "seed": seed, "stop": ["\n"], "max_tokens": 100},
            "pieces": pieces,
        }
        print(f"{name}: {''.join(pieces)}")
    FIXTURE.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
