#include "web/web_pages.h"

#include <stdio.h>

#include "base/clock.h"
#include "base/redact.h"
#include "job/build_log.h"
#include "web/badge.h"
#include "web/html.h"

namespace mm {
namespace {

// Seconds between reloads of a running build's page.
constexpr int kRefreshSeconds = 5;

const char kStyle[] =
    "body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:80em;"
    "padding:.5em 1em;color:#222}\n"
    "a{color:#1d5fa8}h1{font-size:1.3em}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid #ddd;"
    "vertical-align:top}\n"
    ".status{color:#fff;border-radius:3px;padding:0 .4em;white-space:nowrap}\n"
    "code,pre{font:13px/1.35 ui-monospace,monospace}\n"
    "pre{background:#f6f6f6;padding:.5em;overflow-x:auto;white-space:pre-wrap;"
    "word-break:break-all}\n"
    ".m-mixmaster{color:#555}.m-step{font-weight:bold}.m-stderr{color:#b02a1a}"
    "\n.m-killed{color:#fff;background:#b02a1a}.m-hook{color:#6b3fa0}\n"
    ".m-failed{color:#b02a1a;font-weight:bold}\n"
    ".when,.elapsed,.position,.id,.superseded-by{white-space:nowrap}"
    ".message{white-space:pre-line}\n"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}"
    "dd{margin:0}\n"
    "@media (max-width:40em){.wide{display:none}}\n";

std::string Head(const std::string& title, bool refresh) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n";
  if (refresh)
    h += "<meta http-equiv=\"refresh\" content=\"" +
         std::to_string(kRefreshSeconds) + "\">\n";
  return h + "<title>" + HtmlEscape(title) + "</title>\n<style>\n" + kStyle +
         "</style>\n</head>\n<body>\n";
}

const char kFoot[] = "</body>\n</html>\n";

// A status as a label in its colour; `id`, when given, names the element.
std::string StatusSpan(const std::string& status, const char* id = nullptr) {
  std::string span = "<span class=\"status\"";
  if (id) span += std::string(" id=\"") + id + "\"";
  return span + " data-status=\"" + HtmlEscape(status) +
         "\" style=\"background:" + StatusColour(status) + "\">" +
         HtmlEscape(status) + "</span>";
}

std::string BuildLink(const std::string& dir, const std::string& id) {
  return "/builds/" + HtmlEscape(dir) + "/" + HtmlEscape(id);
}

std::string BuildLink(const BuildSummary& b) {
  return BuildLink(b.project_dir, b.id);
}

// The commit's short id, a link to the forge's page of the commit, else of
// the change, when the job has one (credentials masked, base/redact.h, like
// every URL shown).
std::string CommitCell(const BuildSummary& b) {
  if (b.commit.empty()) return "-";
  std::string code = "<code>" + HtmlEscape(b.commit.substr(0, 12)) + "</code>";
  std::string url = RedactUrl(b.commit_url);
  if (!IsWebLink(url)) url = RedactUrl(b.view_url);
  if (!IsWebLink(url)) return code;
  return "<a class=\"commit\" href=\"" + HtmlEscape(url) + "\">" + code +
         "</a>";
}

// Seconds as people read them: 42 s, 3 min 05 s, 2 h 07 min.
std::string Elapsed(long seconds) {
  char text[48];
  if (seconds < 60)
    snprintf(text, sizeof text, "%ld s", seconds < 0 ? 0 : seconds);
  else if (seconds < 3600)
    snprintf(text, sizeof text, "%ld min %02ld s", seconds / 60, seconds % 60);
  else
    snprintf(text, sizeof text, "%ld h %02ld min", seconds / 3600,
             seconds % 3600 / 60);
  return text;
}

// How long the build took; for a running one how long it has run, for a
// queued or superseded one nothing (it never ran).
std::string Duration(const BuildSummary& b, time_t now) {
  time_t started = 0;
  if (b.status == "running" && ParseIsoUtc(b.started, &started))
    return "<span class=\"elapsed\">" + Elapsed(now - started) + "</span>";
  if (b.status == "superseded" || b.duration.empty()) return "-";
  return HtmlEscape(b.duration) + " s";
}

// An ISO time as a readable one (UTC, like every time Mixmaster writes),
// the ISO form in its title.
std::string TimeCell(const std::string& iso) {
  time_t t = 0;
  if (iso.empty()) return "-";
  if (!ParseIsoUtc(iso, &t)) return HtmlEscape(iso);
  return "<time datetime=\"" + HtmlEscape(iso) + "\" title=\"" +
         HtmlEscape(iso) + "\">" + FormatReadable({t, 0}) + " UTC</time>";
}

// The status, with a queued job's place in the queue or the job that
// superseded a build.
std::string StatusCell(const BuildSummary& b) {
  std::string cell = StatusSpan(b.status);
  if (b.queue_position > 0)
    cell += " <span class=\"position\">#" + std::to_string(b.queue_position) +
            "</span>";
  // The id's time (YYYYMMDD-HHMMSS) in the list, the whole id as its title.
  if (b.status == "superseded" && !b.superseded_by.empty())
    cell += " by <a class=\"superseded-by\" href=\"" +
            BuildLink(b.project_dir, b.superseded_by) + "\" title=\"" +
            HtmlEscape(b.superseded_by) + "\">" +
            HtmlEscape(b.superseded_by.substr(0, 15)) + "</a>";
  return cell;
}

// The columns every list shows after its first two: status, commit,
// subject, pusher, when the push arrived, duration.
const char kListHeads[] =
    "<th>Status</th><th class=\"wide\">Commit</th><th>Subject</th>"
    "<th class=\"wide\">Pushed by</th><th>Pushed</th><th class=\"wide\">"
    "Duration</th></tr>\n";

std::string ListCells(const BuildSummary& b, time_t now) {
  return "<td>" + StatusCell(b) + "</td><td class=\"wide\">" + CommitCell(b) +
         "</td><td class=\"subject\">" + HtmlEscape(b.subject()) +
         "</td><td class=\"wide pusher\">" +
         (b.pusher.empty() ? "-" : HtmlEscape(b.pusher)) +
         "</td><td class=\"when\">" + TimeCell(b.received) +
         "</td><td class=\"wide\">" + Duration(b, now) + "</td></tr>\n";
}

// A row's opening tag: its status in a class, so that a reader (or a
// test) finds queued, running, superseded and failed rows alike.
std::string RowStart(const BuildSummary& b) {
  return "<tr class=\"build " + HtmlEscape(b.status) + "\" data-id=\"" +
         HtmlEscape(b.id) + "\">";
}

// A link to a build's page; a queued job has none yet: its name alone.
std::string MaybeLink(const BuildSummary& b, const std::string& text) {
  if (b.status == "queued") return text;
  return "<a href=\"" + BuildLink(b) + "\">" + text + "</a>";
}

bool AnyUnfinished(const std::vector<BuildSummary>& rows) {
  for (const BuildSummary& b : rows)
    if (!b.complete()) return true;
  return false;
}

// Says that the list shows only the first of the jobs that wait, and where
// to see them all; nothing when it shows every one.
std::string MoreQueued(const std::vector<BuildSummary>& rows, bool more) {
  if (!more) return "";
  long shown = 0;
  for (const BuildSummary& b : rows) shown += b.queue_position > 0;
  return "<p class=\"more\">More jobs wait after these " +
         std::to_string(shown) +
         "; <code>mmbuild --list</code> lists them all.</p>\n";
}

const char* MarkerClass(char marker) {
  switch (marker) {
    case '#':
      return "m-mixmaster";
    case '$':
      return "m-step";
    case 'O':
      return "m-stdout";
    case '!':
      return "m-stderr";
    case 'X':
      return "m-killed";
    case 'H':
      return "m-hook";
  }
  return nullptr;
}

}  // namespace

std::string LogLinesHtml(const std::string& text, bool cut) {
  std::string out;
  ForEachLogLine(text, cut, [&out](const std::string& line, char marker) {
    const char* cls = marker ? MarkerClass(marker) : nullptr;
    if (cls)
      out += std::string("<span class=\"") + cls +
             (IsFailedClosingLine(line) ? " m-failed" : "") + "\">" +
             HtmlEscape(line) + "</span>\n";
    else
      out += HtmlEscape(line) + "\n";
  });
  return out;
}

std::string HistoryPage(const std::vector<BuildSummary>& rows, time_t now,
                        bool more_queued) {
  bool live = AnyUnfinished(rows);
  std::string p = Head("Builds", live) +
                  "<h1>Builds</h1>\n<table id=\"history\">\n<tr><th>Project"
                  "</th><th>Target</th>" +
                  kListHeads;
  for (const BuildSummary& b : rows)
    p += RowStart(b) + "<td><a href=\"/builds/" + HtmlEscape(b.project_dir) +
         "\">" + HtmlEscape(b.project_name()) + "</a></td><td>" +
         MaybeLink(b, HtmlEscape(b.target)) + "</td>" + ListCells(b, now);
  if (rows.empty()) p += "<tr><td colspan=\"8\">No builds yet.</td></tr>\n";
  p += "</table>\n" + MoreQueued(rows, more_queued);
  if (live) p += "<p>This page reloads while builds wait or run.</p>\n";
  return p + kFoot;
}

std::string ProjectPage(const std::string& dir,
                        const std::vector<BuildSummary>& builds, long page,
                        bool has_older, time_t now, bool more_queued) {
  std::string name = builds.empty() ? dir : builds[0].project_name();
  bool live = AnyUnfinished(builds);
  std::string p = Head(name + " builds", live) +
                  "<p><a href=\"/builds\">All projects</a></p>\n<h1>" +
                  HtmlEscape(name) +
                  "</h1>\n<table id=\"builds\">\n<tr><th class=\"wide\">"
                  "Build</th><th>Target</th>" +
                  kListHeads;
  for (const BuildSummary& b : builds)
    p += RowStart(b) + "<td class=\"wide\">" +
         MaybeLink(b, "<code class=\"id\">" + HtmlEscape(b.id) + "</code>") +
         "</td><td>" +
         MaybeLink(b, HtmlEscape(b.target) +
                          (b.task.empty() ? "" : " " + HtmlEscape(b.task))) +
         "</td>" + ListCells(b, now);
  p += "</table>\n" + MoreQueued(builds, more_queued);
  if (live) p += "<p>This page reloads while builds wait or run.</p>\n";
  p += "<p>";
  std::string base = "/builds/" + HtmlEscape(dir) + "?page=";
  if (page > 1)
    p += "<a rel=\"prev\" href=\"" + base + std::to_string(page - 1) +
         "\">Newer</a> ";
  p += "Page " + std::to_string(page);
  if (has_older)
    p += " <a rel=\"next\" href=\"" + base + std::to_string(page + 1) +
         "\">Older</a>";
  return p + "</p>\n" + kFoot;
}

std::string BuildPage(const BuildSummary& b, const std::string& log_text,
                      bool cut, time_t now) {
  std::string title = b.project_name() + " " + b.target + " " + b.id;
  std::string p = Head(title, !b.complete()) + "<p><a href=\"/builds/" +
                  HtmlEscape(b.project_dir) + "\">" +
                  HtmlEscape(b.project_name()) + "</a></p>\n<h1>" +
                  HtmlEscape(b.target) + " " + HtmlEscape(b.id) +
                  "</h1>\n<dl id=\"fields\">\n";
  auto field = [&p](const char* name, const std::string& html) {
    p += std::string("<dt>") + name + "</dt><dd>" + html + "</dd>\n";
  };
  std::string status = StatusSpan(b.status, "status");
  if (b.status == "superseded" && !b.superseded_by.empty())
    status += " by <a id=\"superseded-by\" href=\"" +
              BuildLink(b.project_dir, b.superseded_by) + "\">" +
              HtmlEscape(b.superseded_by) + "</a>, newer for the same target";
  field("Status", status);
  field("Project", HtmlEscape(b.project));
  field("Target", HtmlEscape(b.target));
  if (!b.task.empty()) field("Task", HtmlEscape(b.task));
  std::string commit = "<code>" + HtmlEscape(b.commit) + "</code>";
  const std::string commit_url = RedactUrl(b.commit_url);
  if (IsWebLink(commit_url))
    commit = "<a class=\"commit\" href=\"" + HtmlEscape(commit_url) + "\">" +
             commit + "</a>";
  // Credentials in it are masked (base/redact.h) like every URL shown.
  const std::string view_url = RedactUrl(b.view_url);
  if (IsWebLink(view_url))
    commit += " <a href=\"" + HtmlEscape(view_url) + "\">view</a>";
  else if (!view_url.empty())
    commit += " " + HtmlEscape(view_url);
  field("Commit", commit);
  if (!b.message.empty())
    field("Message",
          "<span class=\"message\">" + HtmlEscape(b.message) + "</span>");
  if (!b.pusher.empty()) field("Pushed by", HtmlEscape(b.pusher));
  // Not the repository URL: it may carry a token.
  if (!b.build_command.empty())
    field("Command", "<code>" + HtmlEscape(b.build_command) + "</code>");
  field("Pushed", TimeCell(b.received));
  field("Started", TimeCell(b.started));
  if (!b.complete()) field("Running for", Duration(b, now));
  // A superseded job never ran: it has no exit code or duration to show.
  if (b.complete() && b.status != "superseded") {
    field("Finished", TimeCell(b.finished));
    field("Duration", Duration(b, now));
    field("Exit code", HtmlEscape(b.exit_code));
  }
  std::string raw = BuildLink(b) + ".log";
  p += "</dl>\n<h2>Log</h2>\n";
  if (cut)
    p += "<p>Only the end of a long log is shown; <a href=\"" + raw +
         "\">the whole log</a>.</p>\n";
  p += "<pre id=\"log\">" + LogLinesHtml(log_text, cut) +
       "</pre>\n<p><a href=\"" + raw + "\">Raw log</a>" +
       (b.complete() ? "" : " (this page reloads until the build ends)") +
       "</p>\n";
  return p + kFoot;
}

}  // namespace mm
