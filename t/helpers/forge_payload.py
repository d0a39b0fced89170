#!/usr/bin/python3
"""A forge's push payload for a ref of a real repository, shaped as each
forge documents it, for the tests that send pushes through mmbridge and
build them with mmbuild.

    forge_payload.py FORGE REPO REF [options]

FORGE is gitea, github or gitlab; REPO a git directory; REF the full ref
pushed (refs/heads/main, refs/tags/v1, refs/heads/refs/tags/x). `after` is
what REF names in REPO: for an annotated tag the tag object, whose commit
goes where each forge puts it (GitHub and Gitea: head_commit.id; GitLab:
checkout_sha). Options:

    --project O/R        the forge's name for the repository (acme/app)
    --ssh-url URL        its SSH clone URL (default: none, so that the
                         HTTP one is built)
    --clone-url URL      its HTTP clone URL (default: REPO)
    --web-url URL        its web page (default: https://forge.example.org/O/R)
    --api URL            where its status API is, for GitHub's statuses_url
                         (default: https://api.example.org)
    --no-commit          leave out head_commit / checkout_sha, as a forge
                         that names only `after` would
    --form               the form-encoded body (payload=<JSON>), as GitHub's
                         default content type sends it

Writes the body to stdout.
"""
import argparse
import json
import subprocess
import sys
import urllib.parse


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True,
                          capture_output=True, text=True).stdout.strip()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("forge", choices=["gitea", "github", "gitlab"])
    p.add_argument("repo")
    p.add_argument("ref")
    p.add_argument("--project", default="acme/app")
    p.add_argument("--ssh-url", default="")
    p.add_argument("--clone-url")
    p.add_argument("--web-url")
    p.add_argument("--api", default="https://api.example.org")
    p.add_argument("--no-commit", action="store_true")
    p.add_argument("--form", action="store_true")
    a = p.parse_args()
    clone_url = a.clone_url or a.repo
    web_url = a.web_url or "https://forge.example.org/" + a.project
    after = git(a.repo, "rev-parse", a.ref)
    commit = git(a.repo, "rev-parse", a.ref + "^{commit}")
    message = git(a.repo, "log", "-1", "--format=%B", commit) + "\n"
    zeros = "0" * 40
    tag = a.ref.startswith("refs/tags/")
    head = {"id": commit, "message": message,
            "url": web_url + "/commit/" + commit,
            "author": {"name": "Tester", "email": "tester@example.org"}}
    if a.forge == "github":
        payload = {
            "ref": a.ref, "before": zeros, "after": after,
            "created": True, "deleted": False, "forced": False,
            "base_ref": None, "compare": web_url + "/compare/" + after,
            "commits": [] if tag else [head],
            "head_commit": None if a.no_commit else head,
            "repository": {
                "full_name": a.project, "html_url": web_url,
                "clone_url": clone_url, "ssh_url": a.ssh_url,
                "statuses_url": a.api + "/repos/" + a.project +
                                "/statuses/{sha}"},
            "pusher": {"name": "tester"},
            "sender": {"login": "tester"}}
        if not a.ssh_url:
            del payload["repository"]["ssh_url"]
    elif a.forge == "gitea":
        payload = {
            "ref": a.ref, "before": zeros, "after": after,
            "compare_url": web_url + "/compare/" + zeros + "..." + after,
            "commits": [] if tag else [head],
            "head_commit": None if a.no_commit else head,
            "repository": {
                "full_name": a.project, "html_url": web_url,
                "clone_url": clone_url, "ssh_url": a.ssh_url},
            "pusher": {"login": "tester"},
            "sender": {"login": "tester"}}
    else:
        payload = {
            "object_kind": "tag_push" if tag else "push",
            "event_name": "tag_push" if tag else "push",
            "before": zeros, "after": after, "ref": a.ref,
            "checkout_sha": None if a.no_commit else commit,
            "project": {
                "path_with_namespace": a.project, "web_url": web_url,
                "git_ssh_url": a.ssh_url, "git_http_url": clone_url},
            "commits": [] if tag else [
                {"id": commit, "message": message, "url": head["url"]}],
            "total_commits_count": 0 if tag else 1,
            "repository": {"git_http_url": clone_url,
                           "git_ssh_url": a.ssh_url, "homepage": web_url}}
    body = json.dumps(payload)
    if a.form:
        body = urllib.parse.urlencode({"payload": body})
    sys.stdout.write(body)


if __name__ == "__main__":
    main()
