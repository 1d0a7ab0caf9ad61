#!/usr/bin/env python3
"""A loopback OpenAI-compatible test server for `ttcgames collect` (Python standard library only).

It speaks POST /v1/completions and POST /v1/chat/completions (one choice per request) on 127.0.0.1 and answers the
questions of a GSM8K-layout file deterministically, with scheduled faults, so that tests can check every collected
sample exactly:

- The question is the one whose text the prompt contains; its gold answer follows "####".
- A request's variant v is its "seed" when it sends one, else a per-question counter. v decides the answer
  (v % 5: 0 boxed gold, 1 "The answer is <gold>", 2 boxed gold + 1 (wrong), 3 boxed "<gold>.0", 4 no answer) and
  the billed tokens, 10 + (v // 5) % 97 + the question's index. The text starts with "[tokens=<t>][expect=<e>]",
  t written with the letters a-j for the digits 0-9 (so that a text without an answer has no digit) and e one of
  correct, wrong, none; usage.completion_tokens is t.
- Faults by request count n (1-based, in arrival order): --fault KIND:P[:OFFSET] gives KIND to every request with
  n % P == OFFSET (default OFFSET 0); the first matching fault wins. Kinds: 429 (with Retry-After), 500, 503, drop
  (the connection is closed without a response), truncate (half a body, then the connection is closed), slow
  (--slow-seconds before the answer), malformed (a 200 with a body that is not JSON), nousage (a 200 without usage).
  --fail-question TEXT answers 500 to every prompt containing TEXT.
- With --api-key KEY, a request without the header "Authorization: Bearer KEY" gets 401.
- A request for another model than --model gets 404. GET /health answers 200, GET /v1/models lists --model.
- On SIGTERM or SIGINT it writes --stats-file (JSON): requests, answered, faults by kind, the number of requests that
  came back sooner than a 429's Retry-After asked (per seed: "retry_after_violations"), and the number of requests
  that arrived while the server had asked to be left alone ("pause_violations": later than PAUSE_GRACE seconds
  after a 429 was sent, which leaves time for requests already under way, and before its Retry-After ran out).

Usage: openai_server.py --questions Q.jsonl [--port 0] --port-file F [--model M] [--fault 429:7] ... [--latency S]
       openai_server.py --make-questions N --questions Q.jsonl   (writes N GSM8K-layout questions it can answer)
"""

import argparse
import json
import os
import signal
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LETTERS = "abcdefghij"
#: Requests arriving this soon after a 429 was sent were under way before the client could read it.
PAUSE_GRACE = 0.5


def letters(n):
    return "".join(LETTERS[int(d)] for d in str(n))


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.count = 0
        self.answered = 0
        self.faults = {}
        self.counters = {}
        self.retry_after_due = {}
        self.violations = 0
        self.pause_sent = None
        self.pause_until = 0.0
        self.pause_violations = 0
        self.questions = []
        with open(args.questions, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    record = json.loads(line)
                    gold = str(record["answer"]).split("####")[-1].strip()
                    self.questions.append((record["question"], gold))
        self.faults_spec = []
        for spec in args.fault:
            parts = spec.split(":")
            self.faults_spec.append((parts[0], int(parts[1]), int(parts[2]) if len(parts) > 2 else 0))

    def next_request(self):
        with self.lock:
            self.count += 1
            for kind, period, offset in self.faults_spec:
                if self.count % period == offset:
                    self.faults[kind] = self.faults.get(kind, 0) + 1
                    return kind
            return None

    def question_of(self, prompt):
        for index, (text, gold) in enumerate(self.questions):
            if text in prompt:
                return index, gold
        return None, None

    def variant(self, index, seed):
        if seed is not None:
            return int(seed)
        with self.lock:
            v = self.counters.get(index, 0)
            self.counters[index] = v + 1
            return v


def make_questions(path, n):
    """N questions "Question number i: ..." in GSM8K's layout, gold answer 3i + 7."""
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            a = 3 * i + 7
            f.write(json.dumps({"question": "Question number %d: Tom has %d apples and gets %d more. How many?"
                                            % (i, i, 2 * i + 7),
                                "answer": "He has %d+%d=%d.\n#### %d" % (i, 2 * i + 7, a, a)}) + "\n")


def answer_text(index, gold, v):
    tokens = 10 + (v // 5) % 97 + index
    kind = v % 5
    if kind == 0:
        expect, body = "correct", "Adding it up step by step. Therefore \\boxed{%s}." % gold
    elif kind == 1:
        expect, body = "correct", "Adding it up step by step. The answer is %s" % gold
    elif kind == 2:
        expect, body = "wrong", "Adding it up hastily. Therefore \\boxed{%d}." % (int(gold) + 1)
    elif kind == 3:
        expect, body = "correct", "Adding it up step by step. So the result is \\boxed{%s.0}." % gold
    else:
        expect, body = "none", "I cannot determine this one."
    return "[tokens=%s][expect=%s] %s" % (letters(tokens), expect, body), tokens


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stalls

    def log_message(self, *args):
        pass

    def send_json(self, status, payload, headers=()):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            self.send_json(200, {})
        elif self.path == "/v1/models":
            self.send_json(200, {"object": "list", "data": [{"id": self.server.state.args.model, "object": "model"}]})
        else:
            self.send_json(404, {"error": {"message": "no route %s" % self.path}})

    def do_POST(self):
        state = self.server.state
        args = state.args
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if self.path not in ("/v1/completions", "/v1/chat/completions"):
            self.send_json(404, {"error": {"message": "no route %s" % self.path}})
            return
        chat = self.path.endswith("/chat/completions")
        try:
            request = json.loads(raw)
        except ValueError:
            self.send_json(400, {"error": {"message": "the body is not JSON"}})
            return
        fault = state.next_request()
        seed = request.get("seed")
        now = time.monotonic()
        with state.lock:
            if state.pause_sent is not None and state.pause_sent + PAUSE_GRACE < now < state.pause_until:
                state.pause_violations += 1
            if seed is not None:
                due = state.retry_after_due.pop(seed, None)
                if due is not None and now < due:
                    state.violations += 1
        if args.latency > 0:
            time.sleep(args.latency)
        if args.api_key and self.headers.get("Authorization") != "Bearer " + args.api_key:
            self.send_json(401, {"error": {"message": "invalid API key"}})
            return
        if request.get("model") != args.model:
            self.send_json(404, {"error": {"message": "The model `%s` does not exist." % request.get("model")}})
            return
        if request.get("n", 1) != 1:
            self.send_json(400, {"error": {"message": "this server samples one choice per request"}})
            return
        prompt = request["messages"][-1]["content"] if chat else request["prompt"]
        index, gold = state.question_of(prompt)
        if index is None:
            self.send_json(400, {"error": {"message": "unknown question"}})
            return
        if args.fail_question and args.fail_question in prompt:
            self.send_json(500, {"error": {"message": "this question always fails"}})
            return
        if fault == "429":
            with state.lock:
                sent = time.monotonic()
                state.pause_sent, state.pause_until = sent, sent + args.retry_after
                if seed is not None:
                    state.retry_after_due[seed] = sent + args.retry_after
            self.send_json(429, {"error": {"message": "rate limited"}}, [("Retry-After", str(args.retry_after))])
            return
        if fault in ("500", "503"):
            self.send_json(int(fault), {"error": {"message": "scheduled server error"}})
            return
        if fault == "drop":
            self.close_connection = True
            return
        if fault == "slow":
            time.sleep(args.slow_seconds)
        v = state.variant(index, seed)
        text, tokens = answer_text(index, gold, v)
        choice = {"index": 0, "finish_reason": "stop"}
        if chat:
            choice["message"] = {"role": "assistant", "content": text}
        else:
            choice["text"] = text
        payload = {
            "id": "cmpl-%d" % state.count,
            "object": "chat.completion" if chat else "text_completion",
            "model": args.model,
            "choices": [choice],
            "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": tokens,
                      "total_tokens": len(prompt.split()) + tokens},
        }
        if fault == "nousage":
            del payload["usage"]
        body = json.dumps(payload).encode()
        if fault == "malformed":
            body = body[: len(body) // 2]
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) if fault != "truncate" else len(body) * 2))
            self.end_headers()
            self.wfile.write(body)
            if fault == "truncate":
                self.wfile.flush()
                self.close_connection = True
                return
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        with state.lock:
            state.answered += 1


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that went away (a cancelled or timed-out request) is not the server's failure


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--stats-file")
    parser.add_argument("--model", default="test-model")
    parser.add_argument("--fault", action="append", default=[])
    parser.add_argument("--retry-after", type=int, default=1)
    parser.add_argument("--slow-seconds", type=float, default=0.5)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--fail-question")
    parser.add_argument("--api-key")
    parser.add_argument("--make-questions", type=int, metavar="N")
    args = parser.parse_args()
    if args.make_questions is not None:
        make_questions(args.questions, args.make_questions)
        return 0

    server = Server(("127.0.0.1", args.port), Handler)
    server.state = State(args)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(server.server_address[1]))
        os.replace(tmp, args.port_file)
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    finally:
        state = server.state
        if args.stats_file:
            with state.lock:
                stats = {"requests": state.count, "answered": state.answered, "faults": state.faults,
                         "retry_after_violations": state.violations, "pause_violations": state.pause_violations}
            tmp = args.stats_file + ".tmp"
            with open(tmp, "w") as f:
                json.dump(stats, f)
            os.replace(tmp, args.stats_file)
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
