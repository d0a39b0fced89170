#!/usr/bin/python3
"""A GitHub push payload of exactly SIZE bytes, for the request size tests:
the push of t/fixtures/github-push.json with 2048 commits (the most GitHub
puts in one), each with a message and a list of modified files, padded to
SIZE with one more field.

    big_push.py FIXTURE SIZE OUT
"""
import json
import sys


def main():
    fixture, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    push = json.load(open(fixture))
    template = push["commits"][0]
    count = 2048
    share = (size - len(json.dumps(push))) // count - 100
    commits = []
    for i in range(count):
        commit = dict(template, id="%040x" % i, message="change %d\n" % i,
                      modified=[])
        files, length = commit["modified"], len(json.dumps(commit))
        while length < share:
            name = "src/module-%d/file-%d.c" % (i, len(files))
            files.append(name)
            length += len(name) + 4
        commits.append(commit)
    push["commits"] = commits
    text = json.dumps(push)
    pad = size - len(text) - len(', "padding": ""')
    if pad < 0:
        sys.exit("fixture too large for %d bytes" % size)
    text = text[:-1] + ', "padding": "' + "x" * pad + '"}'
    assert len(text) == size
    open(out, "w").write(text)


if __name__ == "__main__":
    main()
